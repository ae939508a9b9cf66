package dev.weft.mesh.console;

/**
 * The bucket arithmetic of the console's latency histograms: logarithmic buckets, four per power of
 * two, from 1 µs to about 12 days, so that a quantile read from them is within 12.5% of the true
 * value. Stateless; the counts live in {@link DestinationStats}.
 */
final class LatencyHistogram {
  static final int SUB_BUCKETS = 4;
  static final int OCTAVES = 40;
  static final int BUCKETS = SUB_BUCKETS * OCTAVES;

  private LatencyHistogram() {}

  /** The bucket of a latency. */
  static int index(long nanos) {
    long micros = Math.max(1, nanos / 1000);
    int octave = 63 - Long.numberOfLeadingZeros(micros);
    int sub =
        octave >= 2 ? (int) ((micros >>> (octave - 2)) & 3) : (int) ((micros << (2 - octave)) & 3);
    return Math.min(BUCKETS - 1, octave * SUB_BUCKETS + sub);
  }

  /** The middle of a bucket, in milliseconds. */
  static double midMillis(int index) {
    int octave = index / SUB_BUCKETS;
    int sub = index % SUB_BUCKETS;
    double base = Math.pow(2, octave);
    double lower = base * (1 + sub / (double) SUB_BUCKETS);
    double upper = base * (1 + (sub + 1) / (double) SUB_BUCKETS);
    return (lower + upper) / 2 / 1000.0;
  }

  /**
   * The {@code q} quantile (0 &lt; q &le; 1) of the counts in milliseconds, or NaN when there are
   * none.
   */
  static double quantileMillis(long[] counts, double q) {
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    if (total == 0) {
      return Double.NaN;
    }
    long rank = (long) Math.ceil(q * total);
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return midMillis(i);
      }
    }
    return midMillis(counts.length - 1);
  }
}
