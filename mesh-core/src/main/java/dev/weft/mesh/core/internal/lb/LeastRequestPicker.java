package dev.weft.mesh.core.internal.lb;

import dev.weft.mesh.api.runtime.RandomSource;
import dev.weft.mesh.api.spi.EndpointPicker;
import dev.weft.mesh.api.spi.LbEndpoint;
import dev.weft.mesh.api.spi.PickContext;
import java.util.List;

/**
 * Power of d choices over a cost from peak-EWMA latency and calls in flight. Candidates are drawn
 * with probability proportional to weight, and the cheapest wins (the first drawn on a tie). Reads
 * the endpoints' live counters without locks; a pick allocates nothing.
 */
final class LeastRequestPicker implements EndpointPicker {
  /**
   * The cost of an endpoint that has calls in flight but no latency estimate yet: higher than any
   * real estimate, so a new endpoint takes one probe call at a time until its first response (as
   * Finagle does).
   */
  static final double NO_ESTIMATE_PENALTY = (double) (Long.MAX_VALUE >> 16);

  /** Extra draws for one candidate slot when the drawn endpoint is to be avoided. */
  private static final int REDRAWS = 4;

  private final LbEndpoint[] endpoints;
  private final int[] weights;
  private final WeightedSampler sampler;
  private final int choiceCount;
  private final RandomSource random;

  LeastRequestPicker(List<? extends LbEndpoint> list, int choiceCount, RandomSource random) {
    this.endpoints = list.toArray(new LbEndpoint[0]);
    this.weights = new int[endpoints.length];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = Math.max(1, endpoints[i].weight());
    }
    this.sampler = WeightedSampler.of(weights);
    this.choiceCount = choiceCount;
    this.random = random;
  }

  /**
   * Finagle's and Linkerd's {@code latency * (active + 1)}, with the calls in flight measured in
   * units of the endpoint's weight ({@code latency * (1 + active / weight)}), so that under load a
   * heavier endpoint is expected to carry proportionally more calls in flight. Zero for an idle
   * endpoint without an estimate, so it gets probed.
   */
  static double cost(LbEndpoint endpoint, int weight) {
    int active = endpoint.activeRequests();
    double latency = endpoint.peakEwmaNanos();
    if (!(latency > 0)) {
      return active <= 0 ? 0 : NO_ESTIMATE_PENALTY + active;
    }
    return latency * (1.0 + (double) Math.max(0, active) / weight);
  }

  @Override
  public LbEndpoint pick(PickContext context) {
    if (endpoints.length == 1) {
      return endpoints[0];
    }
    int best = -1;
    double bestCost = 0;
    int previous = -1;
    for (int c = 0; c < choiceCount; c++) {
      int i = sampler.sample(random);
      // Candidates must differ (as in Finagle's and Envoy's P2C): drawing the same slow endpoint
      // twice would leave no choice at all, which with ten endpoints happens to 1% of calls.
      for (int redraw = 0;
          redraw < REDRAWS && (context.avoid(endpoints[i]) || i == best || i == previous);
          redraw++) {
        i = sampler.sample(random);
      }
      previous = i;
      if (context.avoid(endpoints[i])) {
        continue;
      }
      double cost = cost(endpoints[i], weights[i]);
      if (best < 0 || cost < bestCost) {
        best = i;
        bestCost = cost;
      }
    }
    if (best >= 0) {
      return endpoints[best];
    }
    // Every draw hit an avoided endpoint: take the cheapest one that is not avoided, if any.
    for (int i = 0; i < endpoints.length; i++) {
      if (!context.avoid(endpoints[i])) {
        double cost = cost(endpoints[i], weights[i]);
        if (best < 0 || cost < bestCost) {
          best = i;
          bestCost = cost;
        }
      }
    }
    if (best >= 0) {
      return endpoints[best];
    }
    return cheapestOfDraws();
  }

  private LbEndpoint cheapestOfDraws() {
    int best = sampler.sample(random);
    double bestCost = cost(endpoints[best], weights[best]);
    for (int c = 1; c < choiceCount; c++) {
      int i = sampler.sample(random);
      double cost = cost(endpoints[i], weights[i]);
      if (cost < bestCost) {
        best = i;
        bestCost = cost;
      }
    }
    return endpoints[best];
  }
}
