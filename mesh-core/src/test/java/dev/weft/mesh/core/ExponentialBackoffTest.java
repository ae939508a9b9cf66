package dev.weft.mesh.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.weft.mesh.api.config.RetryPolicy;
import dev.weft.mesh.api.runtime.RandomSource;
import dev.weft.mesh.api.runtime.Randoms;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ExponentialBackoffTest {
  private static final long MS = 1_000_000L;

  @Test
  void theBaseDoublesFromTheInitialBackoffUpToTheMaximum() {
    ExponentialBackoff backoff =
        ExponentialBackoff.of(RetryPolicy.builder().build(), Randoms.seeded(1)); // 25 ms, 250 ms
    assertThat(backoff.baseNanos(1)).isEqualTo(25 * MS);
    assertThat(backoff.baseNanos(2)).isEqualTo(50 * MS);
    assertThat(backoff.baseNanos(3)).isEqualTo(100 * MS);
    assertThat(backoff.baseNanos(4)).isEqualTo(200 * MS);
    assertThat(backoff.baseNanos(5)).isEqualTo(250 * MS);
    assertThat(backoff.baseNanos(64)).isEqualTo(250 * MS);
    assertThat(backoff.baseNanos(Integer.MAX_VALUE)).isEqualTo(250 * MS);
  }

  @Test
  void eachWaitLiesBetweenZeroAndItsBase() {
    ExponentialBackoff backoff =
        ExponentialBackoff.fullJitter(
            Duration.ofMillis(10), Duration.ofSeconds(1), Randoms.seeded(3));
    for (int retry = 1; retry <= 12; retry++) {
      long base = backoff.baseNanos(retry);
      long sum = 0;
      int samples = 5_000;
      for (int i = 0; i < samples; i++) {
        long delay = backoff.delayNanos(retry);
        assertThat(delay).isBetween(0L, base);
        sum += delay;
      }
      // Full jitter: the mean is half the base (the seed is fixed, so this cannot flake).
      assertThat((double) sum / samples / base).isCloseTo(0.5, within(0.05));
    }
  }

  @Test
  void theSameSeedGivesTheSameWaits() {
    ExponentialBackoff first =
        ExponentialBackoff.fullJitter(
            Duration.ofMillis(25), Duration.ofMillis(250), Randoms.seeded(42));
    ExponentialBackoff second =
        ExponentialBackoff.fullJitter(
            Duration.ofMillis(25), Duration.ofMillis(250), Randoms.seeded(42));
    ExponentialBackoff other =
        ExponentialBackoff.fullJitter(
            Duration.ofMillis(25), Duration.ofMillis(250), Randoms.seeded(43));
    long[] a = new long[20];
    long[] b = new long[20];
    long[] c = new long[20];
    for (int i = 0; i < 20; i++) {
      a[i] = first.delayNanos(i % 6 + 1);
      b[i] = second.delayNanos(i % 6 + 1);
      c[i] = other.delayNanos(i % 6 + 1);
    }
    assertThat(a).containsExactly(b).isNotEqualTo(c);
  }

  @Test
  void theExtremesOfTheRandomDrawGiveZeroAndTheBase() {
    ExponentialBackoff low =
        ExponentialBackoff.fullJitter(Duration.ofMillis(25), Duration.ofMillis(250), fixed(0.0));
    ExponentialBackoff high =
        ExponentialBackoff.fullJitter(
            Duration.ofMillis(25), Duration.ofMillis(250), fixed(Math.nextDown(1.0)));
    assertThat(low.delayNanos(3)).isZero();
    assertThat(high.delayNanos(3)).isEqualTo(100 * MS);
  }

  @Test
  void rejectsRetriesCountedFromZeroAndInvertedBounds() {
    ExponentialBackoff backoff =
        ExponentialBackoff.fullJitter(
            Duration.ofMillis(25), Duration.ofMillis(250), Randoms.seeded(1));
    assertThatThrownBy(() -> backoff.delayNanos(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                ExponentialBackoff.fullJitter(
                    Duration.ofMillis(250), Duration.ofMillis(25), Randoms.seeded(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxBackoff");
  }

  @Test
  void proportionalJitterGrowsByTheMultiplierAndSpreadsAroundTheBase() {
    ExponentialBackoff backoff =
        ExponentialBackoff.proportionalJitter(
            Duration.ofSeconds(1), Duration.ofSeconds(30), 1.6, 0.2, Randoms.seeded(5));
    assertThat(backoff.baseNanos(1)).isEqualTo(1_000 * MS);
    assertThat(backoff.baseNanos(2)).isEqualTo(1_600 * MS);
    assertThat(backoff.baseNanos(3)).isEqualTo(2_560 * MS);
    assertThat(backoff.baseNanos(9)).isEqualTo(30_000 * MS);
    for (int attempt = 1; attempt <= 10; attempt++) {
      long base = backoff.baseNanos(attempt);
      for (int i = 0; i < 1_000; i++) {
        assertThat(backoff.delayNanos(attempt)).isBetween((long) (base * 0.8), (long) (base * 1.2));
      }
    }
  }

  @Test
  void theExtremesOfAProportionalDrawAreTheBaseLessAndPlusTheJitter() {
    assertThat(
            ExponentialBackoff.proportionalJitter(
                    Duration.ofMillis(100), Duration.ofSeconds(1), 1.6, 0.2, fixed(0.0))
                .delayNanos(1))
        .isEqualTo(80 * MS);
    assertThat(
            ExponentialBackoff.proportionalJitter(
                    Duration.ofMillis(100), Duration.ofSeconds(1), 1.6, 0.2, fixed(0.5))
                .delayNanos(2))
        .isEqualTo(160 * MS);
    // Capped before the jitter: the wait may exceed the maximum by the jitter, as in gRPC's
    // connection backoff.
    assertThat(
            ExponentialBackoff.proportionalJitter(
                    Duration.ofMillis(100),
                    Duration.ofSeconds(1),
                    1.6,
                    0.2,
                    fixed(Math.nextDown(1.0)))
                .delayNanos(40))
        .isBetween(1_199 * MS, 1_200 * MS);
  }

  @Test
  void rejectsAShrinkingMultiplierAndAJitterOutsideZeroToOne() {
    assertThatThrownBy(
            () ->
                ExponentialBackoff.proportionalJitter(
                    Duration.ofMillis(1), Duration.ofMillis(2), 0.5, 0.2, Randoms.seeded(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("multiplier");
    assertThatThrownBy(
            () ->
                ExponentialBackoff.proportionalJitter(
                    Duration.ofMillis(1), Duration.ofMillis(2), 1.6, 1.5, Randoms.seeded(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jitter");
  }

  private static RandomSource fixed(double value) {
    return new RandomSource() {
      @Override
      public int nextInt(int bound) {
        return (int) (value * bound);
      }

      @Override
      public double nextDouble() {
        return value;
      }

      @Override
      public long nextLong() {
        return (long) (value * Long.MAX_VALUE);
      }
    };
  }
}
