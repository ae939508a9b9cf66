package dev.weft.mesh.core;

import dev.weft.mesh.api.spi.LbEndpoint;
import dev.weft.mesh.api.spi.PickContext;
import dev.weft.mesh.core.spi.Attempt;
import java.util.Arrays;
import java.util.List;

/**
 * The attempts one {@link CallExecution} has started, in order, and what its balancer sees of them
 * as the call's {@link PickContext}: the request's hash, and the endpoints already tried, which a
 * retry or hedge avoids.
 *
 * <p>Guarded by the call's monitor; {@link #avoid} is called from {@code pick}, which the call
 * makes under it.
 */
final class StartedAttempts<R> implements PickContext {
  private final boolean hasHash;
  private final long hash;
  private AttemptRun<R>[] runs;
  private int count;

  @SuppressWarnings("unchecked")
  StartedAttempts(int maxAttempts, boolean hasHash, long hash) {
    this.runs = (AttemptRun<R>[]) new AttemptRun<?>[maxAttempts];
    this.hasHash = hasHash;
    this.hash = hash;
  }

  /** How many attempts the call has started. */
  int count() {
    return count;
  }

  void add(AttemptRun<R> run) {
    if (count == runs.length) {
      runs = Arrays.copyOf(runs, count + 1 + (count >> 1));
    }
    runs[count++] = run;
  }

  @Override
  public boolean hasHash() {
    return hasHash;
  }

  @Override
  public long hash() {
    return hash;
  }

  @Override
  public boolean avoid(LbEndpoint endpoint) {
    for (int i = 0; i < count; i++) {
      if (runs[i].endpoint == endpoint) {
        return true;
      }
    }
    return false;
  }

  /**
   * Marks every attempt but {@code keep} that has neither completed nor been cancelled as
   * cancelled; the cancellations of those the adapter started go to {@code after}.
   */
  void cancelOthers(AttemptRun<R> keep, List<Runnable> after) {
    for (int i = 0; i < count; i++) {
      AttemptRun<R> r = runs[i];
      if (r != keep && !r.completed && !r.cancelled) {
        r.cancelled = true;
        Attempt h = r.handle;
        if (h != null) {
          after.add(h::cancel);
        }
      }
    }
  }
}
