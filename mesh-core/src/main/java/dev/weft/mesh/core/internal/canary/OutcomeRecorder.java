package dev.weft.mesh.core.internal.canary;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The outcomes of one destination's calls, counted since it was created: calls, failures, and a
 * latency histogram of the successes. The call path records with {@link #record}, lock-free and
 * without allocating; the guard reads the totals on its own schedule with {@link #totals} and takes
 * differences, so nothing is ever reset under a caller and no outcome is lost.
 */
public final class OutcomeRecorder {
  private final LongAdder calls = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private final AtomicLongArray latency = new AtomicLongArray(LatencyBuckets.COUNT);

  /** Records one call: whether it failed and, for a success, how long it took. */
  public void record(boolean failed, long elapsedNanos) {
    if (failed) {
      failures.increment();
    } else {
      latency.incrementAndGet(LatencyBuckets.of(elapsedNanos));
    }
    calls.increment();
  }

  /**
   * The totals so far. Read while calls record, the counts may be a few calls apart; the next read
   * includes what this one missed.
   */
  public Batch totals() {
    long[] hist = new long[LatencyBuckets.COUNT];
    long successes = 0;
    for (int i = 0; i < hist.length; i++) {
      hist[i] = latency.get(i);
      successes += hist[i];
    }
    long f = failures.sum();
    // Calls counts last in record(), so a call seen in a histogram or in failures is in calls by
    // the next read; here the sum of the parts is what is consistent.
    return new Batch(0, successes + f, f, hist);
  }
}
