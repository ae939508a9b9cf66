package dev.weft.mesh.core.internal.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.mesh.api.config.LocalRateLimit;
import dev.weft.mesh.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LocalRateLimiterTest {
  private final FakeTicker ticker = new FakeTicker();
  private ExecutorService pool;

  @AfterEach
  void stopPool() throws InterruptedException {
    if (pool != null) {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  private static int drain(LocalRateLimiter limiter) {
    int granted = 0;
    while (limiter.tryAcquire()) {
      granted++;
    }
    return granted;
  }

  @Test
  void allowsABurstOfMaxTokensThenRefillsTokensPerFillEachInterval() {
    LocalRateLimiter limiter =
        new LocalRateLimiter(new LocalRateLimit(10, 2, Duration.ofSeconds(1)), ticker);

    assertThat(drain(limiter)).isEqualTo(10);
    assertThat(limiter.availableTokens()).isZero();

    ticker.advanceMillis(999);
    assertThat(limiter.tryAcquire()).isFalse();
    ticker.advanceMillis(1);
    assertThat(drain(limiter)).isEqualTo(2);

    ticker.advance(Duration.ofSeconds(3));
    assertThat(drain(limiter)).isEqualTo(6);

    ticker.advance(Duration.ofSeconds(60));
    assertThat(limiter.availableTokens()).as("never more than maxTokens").isEqualTo(10);
    assertThat(drain(limiter)).isEqualTo(10);
  }

  @Test
  void fillsFollowTheLimitersCreationNotItsFirstUse() {
    LocalRateLimiter limiter =
        new LocalRateLimiter(LocalRateLimit.of(5, Duration.ofSeconds(1)), ticker);
    ticker.advanceMillis(700);
    assertThat(drain(limiter)).isEqualTo(5);

    ticker.advanceMillis(300); // the fill at 1 s after creation
    assertThat(drain(limiter)).isEqualTo(5);
  }

  @Test
  void aSteadyCallerGetsTheConfiguredRate() {
    LocalRateLimiter limiter =
        new LocalRateLimiter(new LocalRateLimit(20, 5, Duration.ofMillis(100)), ticker);
    int granted = 0;
    for (int ms = 0; ms < 10_000; ms++) { // 10 calls per ms for 10 s
      for (int i = 0; i < 10; i++) {
        granted += limiter.tryAcquire() ? 1 : 0;
      }
      ticker.advanceMillis(1);
    }
    // The first burst of 20, then 5 per 100 ms: 99 fills happen within the 10 s.
    assertThat(granted).isEqualTo(20 + 99 * 5);
  }

  @Test
  void aDisabledLimitAlwaysPermits() {
    LocalRateLimiter limiter = new LocalRateLimiter(LocalRateLimit.UNLIMITED, ticker);
    for (int i = 0; i < 100_000; i++) {
      assertThat(limiter.tryAcquire()).isTrue();
    }
    assertThat(limiter.availableTokens()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void concurrentCallersNeverGetMoreThanTheTokens() throws Exception {
    LocalRateLimiter limiter =
        new LocalRateLimiter(new LocalRateLimit(1000, 300, Duration.ofSeconds(1)), ticker);
    int threads = 8;
    AtomicLong granted = new AtomicLong();
    pool = Executors.newFixedThreadPool(threads);
    CyclicBarrier barrier = new CyclicBarrier(threads, () -> ticker.advance(Duration.ofSeconds(1)));
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      futures.add(
          pool.submit(
              () -> {
                for (int round = 0; round < 3; round++) {
                  for (int i = 0; i < 2_000; i++) {
                    if (limiter.tryAcquire()) {
                      granted.incrementAndGet();
                    }
                  }
                  barrier.await(
                      10, TimeUnit.SECONDS); // the last thread to arrive advances the clock a fill
                }
                return null;
              }));
    }
    for (Future<?> f : futures) {
      f.get(30, TimeUnit.SECONDS);
    }

    // 16,000 attempts per round against a full bucket, then two fills of 300.
    assertThat(granted.get()).isEqualTo(1000 + 300 + 300);
  }

  @Test
  void aBucketTooLargeForItsFillIntervalIsLoweredToWhatTheStateCanHold() {
    LocalRateLimiter limiter =
        new LocalRateLimiter(
            new LocalRateLimit(10_000_000, 10_000_000, Duration.ofMillis(1)), ticker);
    assertThat(limiter.maxTokens()).isEqualTo((1 << 22) - 1);
    assertThat(limiter.availableTokens()).isEqualTo((1 << 22) - 1);

    LocalRateLimiter slow =
        new LocalRateLimiter(new LocalRateLimit(10_000_000, 1, Duration.ofSeconds(1)), ticker);
    assertThat(slow.maxTokens()).isEqualTo(10_000_000);
  }
}
