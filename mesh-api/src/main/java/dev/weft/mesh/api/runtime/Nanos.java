package dev.weft.mesh.api.runtime;

import java.time.Duration;

/**
 * Nanosecond arithmetic that saturates instead of overflowing: the model allows durations longer
 * than a {@code long} of nanoseconds (about 292 years), and {@link Duration#toNanos()} throws for
 * them. The one conversion every module uses, so that every part saturates the same way.
 */
public final class Nanos {

  /** {@code d} in nanoseconds, or {@link Long#MAX_VALUE} when it does not fit. */
  public static long of(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException tooLong) {
      return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  /**
   * {@code a + b}, pinned to {@link Long#MAX_VALUE} on overflow (both non-negative in practice).
   */
  public static long add(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  private Nanos() {}
}
