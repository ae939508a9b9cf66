package dev.weft.mesh.core;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.config.RetryPolicy;
import dev.weft.mesh.api.runtime.Nanos;
import dev.weft.mesh.api.runtime.RandomSource;
import java.time.Duration;

/**
 * Exponential backoff: before attempt {@code n} (1 for the first wait) the base is {@code initial *
 * multiplier^(n-1)}, capped at {@code max}, and the wait is drawn around it from an injected {@link
 * RandomSource}, so tests can fix the sequence. Two shapes of jitter, for the two places backoff is
 * used:
 *
 * <ul>
 *   <li>{@link #fullJitter}: the base doubles and the wait is uniform in {@code [0, base]}
 *       ("Exponential Backoff And Jitter", AWS Architecture Blog; gRPC's and Envoy's retry backoff
 *       have the same shape). For call retries, where spreading a burst matters more than the mean.
 *   <li>{@link #proportionalJitter}: the wait is uniform in {@code [base * (1 - jitter), base * (1
 *       + jitter)]}, and may so exceed {@code max} by the jitter (gRPC's connection backoff:
 *       multiplier 1.6, jitter 0.2). For reconnection, where a wait near zero would hammer a server
 *       that just went away.
 * </ul>
 *
 * <p>Why not resilience4j's {@code IntervalFunction.ofExponentialRandomBackoff}: it draws from
 * {@code Math.random()}, which cannot be seeded, so tests could not reproduce a sequence of waits;
 * it has no full jitter down to zero; and it works in boxed milliseconds.
 *
 * <p>Threading: immutable; {@link #delayNanos(int)} may be called from any thread, does not block
 * and does not allocate (it is as thread-safe as the {@link RandomSource} it was given).
 */
public final class ExponentialBackoff {
  private final long initialNanos;
  private final long maxNanos;
  private final double multiplier;

  /** The relative spread around the base, or a negative value for full jitter. */
  private final double jitter;

  private final RandomSource random;

  private ExponentialBackoff(
      Duration initial, Duration max, double multiplier, double jitter, RandomSource random) {
    requireNonNull(initial, "initial");
    requireNonNull(max, "max");
    this.random = requireNonNull(random, "random");
    if (initial.isNegative() || initial.isZero()) {
      throw new IllegalArgumentException("initialBackoff must be positive, was " + initial);
    }
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "maxBackoff (" + max + ") must not be shorter than initialBackoff (" + initial + ")");
    }
    if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException("the multiplier must be at least 1, was " + multiplier);
    }
    this.initialNanos = Nanos.of(initial);
    this.maxNanos = Nanos.of(max);
    this.multiplier = multiplier;
    this.jitter = jitter;
  }

  /**
   * Doubling backoff with full jitter: before attempt {@code n} the wait is uniform in {@code [0,
   * min(initial * 2^(n-1), max)]}.
   *
   * @throws IllegalArgumentException unless {@code 0 < initial <= max}
   */
  public static ExponentialBackoff fullJitter(Duration initial, Duration max, RandomSource random) {
    return new ExponentialBackoff(initial, max, 2.0, -1, random);
  }

  /**
   * The retry backoff of a retry policy: {@link #fullJitter} between its initial and maximum
   * backoff.
   */
  public static ExponentialBackoff of(RetryPolicy policy, RandomSource random) {
    return fullJitter(policy.initialBackoff(), policy.maxBackoff(), random);
  }

  /**
   * Backoff growing by {@code multiplier} with the wait uniform in {@code [base * (1 - jitter),
   * base * (1 + jitter)]}; gRPC's connection backoff is {@code proportionalJitter(1 s, 120 s, 1.6,
   * 0.2, random)}.
   *
   * @throws IllegalArgumentException unless {@code 0 < initial <= max}, {@code multiplier >= 1} and
   *     {@code 0 <= jitter <= 1}
   */
  public static ExponentialBackoff proportionalJitter(
      Duration initial, Duration max, double multiplier, double jitter, RandomSource random) {
    if (!(jitter >= 0 && jitter <= 1)) {
      throw new IllegalArgumentException("the jitter must be between 0 and 1, was " + jitter);
    }
    return new ExponentialBackoff(initial, max, multiplier, jitter, random);
  }

  /**
   * The base before attempt {@code attempt}: {@code initial * multiplier^(attempt-1)}, at most
   * {@code max}.
   *
   * @throws IllegalArgumentException if {@code attempt} is below 1
   */
  public long baseNanos(int attempt) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempts count from 1, was " + attempt);
    }
    double base = initialNanos * Math.pow(multiplier, attempt - 1);
    return base >= maxNanos ? maxNanos : (long) base;
  }

  /**
   * How long to wait before attempt {@code attempt} (1 for the first wait): uniform in {@code [0,
   * baseNanos(attempt)]} with full jitter, in {@code baseNanos(attempt) * [1 - jitter, 1 + jitter]}
   * with proportional jitter.
   *
   * @throws IllegalArgumentException if {@code attempt} is below 1
   */
  public long delayNanos(int attempt) {
    long base = baseNanos(attempt);
    if (jitter < 0) {
      long delay = (long) (random.nextDouble() * (base + 1.0));
      return Math.min(delay, base);
    }
    double factor = 1 + jitter * (random.nextDouble() * 2 - 1);
    double delay = base * factor;
    return delay >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) delay;
  }

  @Override
  public String toString() {
    return "ExponentialBackoff{initial="
        + Duration.ofNanos(initialNanos)
        + ", max="
        + Duration.ofNanos(maxNanos)
        + ", multiplier="
        + multiplier
        + ", jitter="
        + (jitter < 0 ? "full" : "±" + jitter)
        + "}";
  }
}
