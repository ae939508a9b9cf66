package dev.weft.mesh.core.internal.lb;

import dev.weft.mesh.api.spi.EndpointPicker;
import dev.weft.mesh.api.spi.LbEndpoint;
import dev.weft.mesh.api.spi.PickContext;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Smooth weighted round robin. Callers share one atomic position into a {@link WrrSchedule}, so any
 * run of {@code period} consecutive picks visits each endpoint exactly its (reduced) weight times,
 * however many threads pick. Lock-free; a pick allocates nothing.
 */
final class RoundRobinPicker implements EndpointPicker {
  /** How far along the schedule to look for an endpoint that is not avoided before scanning. */
  private static final int AVOID_LOOKAHEAD = 64;

  private final LbEndpoint[] endpoints;
  private final WrrSchedule schedule;
  private final AtomicLong position;

  /**
   * @param startOffset where in the cycle this picker begins, so that many clients that start
   *     together do not all hit the same endpoint first
   */
  RoundRobinPicker(List<? extends LbEndpoint> list, long startOffset) {
    this.endpoints = list.toArray(new LbEndpoint[0]);
    int[] weights = new int[endpoints.length];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = Math.max(1, endpoints[i].weight());
    }
    this.schedule = WrrSchedule.of(weights);
    this.position = new AtomicLong(Math.floorMod(startOffset, schedule.period()));
  }

  long period() {
    return schedule.period();
  }

  @Override
  public LbEndpoint pick(PickContext context) {
    long n = position.getAndIncrement();
    LbEndpoint chosen = endpoints[schedule.at(n)];
    if (!context.avoid(chosen)) {
      return chosen;
    }
    // Take the next endpoint the schedule would visit without consuming positions of other calls.
    long limit = Math.min(schedule.period(), AVOID_LOOKAHEAD);
    for (long k = 1; k < limit; k++) {
      LbEndpoint next = endpoints[schedule.at(n + k)];
      if (!context.avoid(next)) {
        return next;
      }
    }
    int allowed = Avoidance.nextAllowed(endpoints, schedule.at(n) + 1, context);
    return allowed < 0 ? chosen : endpoints[allowed];
  }
}
