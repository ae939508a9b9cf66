package dev.weft.mesh.core.internal.canary;

/**
 * Log-linear latency buckets in nanoseconds: exact below 16 ns, then 8 buckets per power of two, so
 * a bucket is at most 12.5% wide relative to its lower edge. Stateless.
 */
public final class LatencyBuckets {
  /** How many buckets there are. */
  public static final int COUNT = 16 + 59 * 8;

  private LatencyBuckets() {}

  /** The bucket of {@code nanos} (negative values count as 0). */
  public static int of(long nanos) {
    if (nanos < 16) {
      return nanos <= 0 ? 0 : (int) nanos;
    }
    int e = 63 - Long.numberOfLeadingZeros(nanos);
    int m = (int) (nanos >>> (e - 3)) & 7;
    return 16 + (e - 4) * 8 + m;
  }

  /** The smallest value in {@code bucket}. */
  public static long lower(int bucket) {
    if (bucket < 16) {
      return bucket;
    }
    int e = (bucket - 16) / 8 + 4;
    long m = (bucket - 16) % 8 + 8;
    return m << (e - 3);
  }

  /** The first value above {@code bucket} (its exclusive upper edge). */
  public static long upper(int bucket) {
    return bucket == COUNT - 1 ? Long.MAX_VALUE : lower(bucket + 1);
  }
}
