package dev.weft.mesh.core;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * An approximate, decaying latency histogram for percentile-based hedging. Recording is one atomic
 * increment in a log-scaled bucket (about 9% wide); the percentile is recomputed off the call path
 * by {@link #refresh()}, which also halves the counts so that old latencies fade, and read with one
 * volatile load.
 */
final class LatencyTracker {
  // Buckets: index = floor(log(nanos / MIN) / log(GROWTH)); 10 µs .. about 10 minutes.
  private static final double MIN_NANOS = 10_000;
  private static final double GROWTH = 1.09;
  private static final double LOG_GROWTH = Math.log(GROWTH);
  private static final int BUCKETS = 208;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
  private final double percentile;
  private volatile long percentileNanos = -1;

  LatencyTracker(double percentile) {
    this.percentile = percentile;
  }

  void record(long nanos) {
    counts.incrementAndGet(bucket(nanos));
  }

  /** The last computed percentile in nanoseconds, or -1 when too few calls were seen. */
  long percentileNanos() {
    return percentileNanos;
  }

  /** Recomputes the percentile and decays the counts. Called serially off the call path. */
  void refresh() {
    long total = 0;
    long[] snapshot = new long[BUCKETS];
    for (int i = 0; i < BUCKETS; i++) {
      snapshot[i] = counts.get(i);
      total += snapshot[i];
    }
    if (total < 20) {
      percentileNanos = -1;
      return;
    }
    long rank = (long) Math.ceil(total * percentile / 100.0);
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += snapshot[i];
      if (seen >= rank) {
        percentileNanos = upperBound(i);
        break;
      }
    }
    for (int i = 0; i < BUCKETS; i++) {
      long half = snapshot[i] / 2;
      if (half > 0) {
        counts.addAndGet(i, -half);
      }
    }
  }

  static int bucket(long nanos) {
    if (nanos <= MIN_NANOS) {
      return 0;
    }
    int b = (int) (Math.log(nanos / MIN_NANOS) / LOG_GROWTH) + 1;
    return Math.min(b, BUCKETS - 1);
  }

  static long upperBound(int bucket) {
    return (long) (MIN_NANOS * Math.pow(GROWTH, bucket));
  }
}
