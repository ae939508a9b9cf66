package dev.weft.mesh.core.internal.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.weft.mesh.api.config.RetryPolicy;
import dev.weft.mesh.api.runtime.RandomSource;
import dev.weft.mesh.api.runtime.Randoms;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private static final long MS = 1_000_000L;

  @Test
  void theBaseDoublesFromTheInitialBackoffUpToTheMaximum() {
    Backoff backoff = Backoff.of(RetryPolicy.builder().build(), Randoms.seeded(1)); // 25 ms, 250 ms
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
    Backoff backoff = new Backoff(Duration.ofMillis(10), Duration.ofSeconds(1), Randoms.seeded(3));
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
    Backoff first = new Backoff(Duration.ofMillis(25), Duration.ofMillis(250), Randoms.seeded(42));
    Backoff second = new Backoff(Duration.ofMillis(25), Duration.ofMillis(250), Randoms.seeded(42));
    Backoff other = new Backoff(Duration.ofMillis(25), Duration.ofMillis(250), Randoms.seeded(43));
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
    Backoff low = new Backoff(Duration.ofMillis(25), Duration.ofMillis(250), fixed(0.0));
    Backoff high = new Backoff(Duration.ofMillis(25), Duration.ofMillis(250), fixed(Math.nextDown(1.0)));
    assertThat(low.delayNanos(3)).isZero();
    assertThat(high.delayNanos(3)).isEqualTo(100 * MS);
  }

  @Test
  void rejectsRetriesCountedFromZeroAndInvertedBounds() {
    Backoff backoff = new Backoff(Duration.ofMillis(25), Duration.ofMillis(250), Randoms.seeded(1));
    assertThatThrownBy(() -> backoff.delayNanos(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Backoff(Duration.ofMillis(250), Duration.ofMillis(25), Randoms.seeded(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxBackoff");
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
