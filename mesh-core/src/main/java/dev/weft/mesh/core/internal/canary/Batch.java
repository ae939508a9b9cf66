package dev.weft.mesh.core.internal.canary;

/**
 * What one destination did in one interval (or in total): calls, failures, and the latency
 * histogram of the successes in {@link LatencyBuckets}. Immutable by convention: the histogram is
 * never changed once the batch is built.
 */
public final class Batch {
  private final long atNanos;
  private final long calls;
  private final long failures;
  private final long[] latency;

  /** A batch of {@code calls}, {@code failures} and the successes' {@code latency} histogram. */
  public Batch(long atNanos, long calls, long failures, long[] latency) {
    this.atNanos = atNanos;
    this.calls = calls;
    this.failures = failures;
    this.latency = latency;
  }

  /** When the interval ended. */
  public long atNanos() {
    return atNanos;
  }

  /** The calls. */
  public long calls() {
    return calls;
  }

  /** The failed calls. */
  public long failures() {
    return failures;
  }

  /** Adds {@code other}'s counts to a copy of this batch, stamped as the later of the two. */
  public Batch plus(Batch other) {
    long[] h = latency.clone();
    for (int i = 0; i < h.length; i++) {
      h[i] += other.latency[i];
    }
    return new Batch(
        Math.max(atNanos, other.atNanos), calls + other.calls, failures + other.failures, h);
  }

  /** An empty batch. */
  public static Batch empty(long atNanos) {
    return new Batch(atNanos, 0, 0, new long[LatencyBuckets.COUNT]);
  }

  /** The successful calls. */
  public long successes() {
    return calls - failures;
  }

  /**
   * What happened between {@code earlier} and this batch (both totals), stamped {@code atNanos}.
   */
  public Batch since(Batch earlier, long atNanos) {
    long[] h = new long[latency.length];
    for (int i = 0; i < h.length; i++) {
      h[i] = Math.max(0, latency[i] - earlier.latency[i]);
    }
    return new Batch(
        atNanos, Math.max(0, calls - earlier.calls), Math.max(0, failures - earlier.failures), h);
  }

  /** The successes at least {@code nanos} slow: those in buckets that start at or above it. */
  public long slowerThan(long nanos) {
    long n = 0;
    for (int i = latency.length - 1; i >= 0 && LatencyBuckets.lower(i) >= nanos; i--) {
      n += latency[i];
    }
    return n;
  }

  /**
   * The upper edge of the bucket that holds the {@code rank}-th fastest success (1-based), or -1
   * when there are fewer successes.
   */
  public long upperEdgeOfRank(long rank) {
    long seen = 0;
    for (int i = 0; i < latency.length; i++) {
      seen += latency[i];
      if (seen >= rank && rank >= 1) {
        return LatencyBuckets.upper(i);
      }
    }
    return -1;
  }

  /**
   * The {@code quantile} (0 to 1) of the successes' latency, as its bucket's midpoint; 0 if none.
   */
  public long quantileNanos(double quantile) {
    long s = successes();
    if (s <= 0) {
      return 0;
    }
    long rank = Math.max(1, (long) Math.ceil(quantile * s));
    long seen = 0;
    for (int i = 0; i < latency.length; i++) {
      seen += latency[i];
      if (seen >= rank) {
        long lo = LatencyBuckets.lower(i);
        long hi = LatencyBuckets.upper(i);
        return hi == Long.MAX_VALUE ? lo : lo + (hi - lo) / 2;
      }
    }
    return 0;
  }
}
