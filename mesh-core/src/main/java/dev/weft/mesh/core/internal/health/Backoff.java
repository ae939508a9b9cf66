package dev.weft.mesh.core.internal.health;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.config.RetryPolicy;
import dev.weft.mesh.api.runtime.RandomSource;
import java.time.Duration;

/**
 * Exponential backoff with full jitter ("Exponential Backoff And Jitter", AWS Architecture Blog;
 * gRPC's and Envoy's retry backoff have the same shape): before retry {@code n} (1 for the first
 * retry) the base is {@code initialBackoff * 2^(n-1)}, capped at {@code maxBackoff}, and the wait is
 * uniform in {@code [0, base]}.
 *
 * <p>Why not resilience4j's {@code IntervalFunction.ofExponentialRandomBackoff}: it draws from
 * {@code Math.random()}, which cannot be seeded, so tests could not reproduce a sequence of waits;
 * its jitter is {@code interval * (1 +/- factor)} with a floor of 1 ms rather than full jitter down
 * to zero; and it works in boxed milliseconds.
 *
 * <p>Threading: immutable; {@link #delayNanos(int)} may be called from any thread, does not block
 * and does not allocate (it is as thread-safe as the {@link RandomSource} it was given).
 */
public final class Backoff {
  private final long initialNanos;
  private final long maxNanos;
  private final RandomSource random;

  public Backoff(Duration initialBackoff, Duration maxBackoff, RandomSource random) {
    requireNonNull(initialBackoff, "initialBackoff");
    requireNonNull(maxBackoff, "maxBackoff");
    this.random = requireNonNull(random, "random");
    if (initialBackoff.isNegative() || initialBackoff.isZero()) {
      throw new IllegalArgumentException("initialBackoff must be positive, was " + initialBackoff);
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "maxBackoff (" + maxBackoff + ") must not be shorter than initialBackoff (" + initialBackoff + ")");
    }
    this.initialNanos = saturatedNanos(initialBackoff);
    this.maxNanos = saturatedNanos(maxBackoff);
  }

  /** The backoff of a retry policy. */
  public static Backoff of(RetryPolicy policy, RandomSource random) {
    return new Backoff(policy.initialBackoff(), policy.maxBackoff(), random);
  }

  /**
   * The base before retry {@code retry}: {@code initialBackoff * 2^(retry-1)}, at most
   * {@code maxBackoff}.
   *
   * @throws IllegalArgumentException if {@code retry} is below 1
   */
  public long baseNanos(int retry) {
    if (retry < 1) {
      throw new IllegalArgumentException("retry counts from 1, was " + retry);
    }
    int doublings = retry - 1;
    if (doublings >= Long.SIZE - 1 || initialNanos > maxNanos >> doublings) {
      return maxNanos;
    }
    return Math.min(initialNanos << doublings, maxNanos);
  }

  /**
   * How long to wait before retry {@code retry} (1 for the first retry): uniform in
   * {@code [0, baseNanos(retry)]}.
   *
   * @throws IllegalArgumentException if {@code retry} is below 1
   */
  public long delayNanos(int retry) {
    long base = baseNanos(retry);
    long delay = (long) (random.nextDouble() * (base + 1.0));
    return Math.min(delay, base);
  }

  @Override
  public String toString() {
    return "Backoff{initial=" + Duration.ofNanos(initialNanos) + ", max=" + Duration.ofNanos(maxNanos) + "}";
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}
