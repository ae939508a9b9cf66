package dev.weft.mesh.core.internal.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.mesh.api.config.RetryBudget;
import dev.weft.mesh.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryBudgetTrackerTest {
  private final FakeTicker ticker = new FakeTicker();
  private ExecutorService pool;

  @AfterEach
  void stopPool() throws InterruptedException {
    if (pool != null) {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  /** One logical call whose every attempt fails and that retries as long as the budget allows. */
  private static long attemptsOfOneFailingCall(RetryBudgetTracker budget) {
    budget.onCall();
    long attempts = 1;
    while (budget.tryWithdraw()) {
      attempts++;
    }
    return attempts;
  }

  @ParameterizedTest(name = "{0} calls/s, first call {1} ms after creation")
  @CsvSource({"1, 0", "3, 999", "7, 333", "50, 0", "50, 1", "50, 333", "97, 999", "1000, 333"})
  void retriesStayWithinPercentOfCallsPlusTheFloorAtASteadyRate(
      int callsPerSecond, long startMillis) {
    RetryBudgetTracker budget =
        new RetryBudgetTracker(RetryBudget.DEFAULT, ticker); // 20%, 10/s, 10 s
    ticker.advanceMillis(startMillis);
    int seconds = 60;
    long calls = 0;
    long attempts = 0;
    for (int i = 0; i < seconds * callsPerSecond; i++) {
      attempts += attemptsOfOneFailingCall(budget);
      calls++;
      ticker.advanceNanos(1_000_000_000L / callsPerSecond);
    }

    // No slack is needed for window edges: every withdrawal counts for at least ttl, so the reserve
    // of 100 is reused at most six times in 60 s, and no call funds more than 0.2 of a retry.
    long bound = calls + calls / 5 + 10L * seconds;
    assertThat(attempts).isLessThanOrEqualTo(bound);
    // And the budget is there to use: 20% of the calls plus 10/s over at least 50 s.
    assertThat(attempts).isGreaterThanOrEqualTo(calls + calls / 5 + 10L * 50);
  }

  @Test
  void aQuietClientStillGetsAboutTheFloorPerSecond() {
    RetryBudgetTracker budget = new RetryBudgetTracker(RetryBudget.DEFAULT, ticker);
    int seconds = 60;
    long retries = 0;
    long calls = 0;
    ticker.advanceMillis(333);
    for (int second = 0; second < seconds; second++) { // one call a second
      retries += attemptsOfOneFailingCall(budget) - 1;
      calls++;
      ticker.advance(Duration.ofSeconds(1));
    }

    assertThat(calls).isEqualTo(60);
    // The reserve is 100 retries, reused at most once per 10 s: six times in 60 s.
    assertThat(retries).isBetween(10L * 50, 10L * seconds + (long) Math.ceil(0.2 * calls));
  }

  @Test
  void aSpentBudgetRecoversAfterTheTtl() {
    RetryBudgetTracker budget = new RetryBudgetTracker(RetryBudget.DEFAULT, ticker);
    ticker.advanceMillis(300);
    assertThat(attemptsOfOneFailingCall(budget) - 1).isEqualTo(100); // the reserve: 10/s x 10 s
    assertThat(budget.tryWithdraw()).isFalse();

    ticker.advance(Duration.ofSeconds(10));
    assertThat(budget.tryWithdraw()).as("a withdrawal counts for at least ttl").isFalse();

    ticker.advance(Duration.ofMillis(500)); // and at most 1.05 ttl
    assertThat(budget.balance()).isEqualTo(100.0);
    assertThat(budget.tryWithdraw()).isTrue();
  }

  @Test
  void withoutAFloorRetriesArePercentOfCallsExactly() {
    RetryBudgetTracker budget =
        new RetryBudgetTracker(new RetryBudget(20, 0, Duration.ofSeconds(10)), ticker);
    assertThat(budget.tryWithdraw()).isFalse();

    for (int i = 0; i < 4; i++) {
      budget.onCall();
    }
    assertThat(budget.balance()).isEqualTo(0.8);
    assertThat(budget.tryWithdraw()).isFalse();

    budget.onCall();
    assertThat(budget.tryWithdraw()).isTrue();
    assertThat(budget.tryWithdraw()).isFalse();

    for (int i = 0; i < 95; i++) {
      budget.onCall();
    }
    int retries = 0;
    while (budget.tryWithdraw()) {
      retries++;
    }
    assertThat(retries).isEqualTo(19);
    assertThat(budget.balance()).isZero();
  }

  @Test
  void aZeroBudgetNeverAllowsARetry() {
    RetryBudgetTracker budget =
        new RetryBudgetTracker(new RetryBudget(0, 0, Duration.ofSeconds(1)), ticker);
    for (int i = 0; i < 1000; i++) {
      budget.onCall();
    }
    assertThat(budget.tryWithdraw()).isFalse();
  }

  @Test
  void concurrentWithdrawalsNeverOverdrawWithinOneSlot() throws Exception {
    RetryBudgetTracker budget =
        new RetryBudgetTracker(RetryBudget.DEFAULT, ticker); // the clock stands still
    int threads = 8;
    int callsPerThread = 5_000;
    AtomicLong retries = new AtomicLong();
    pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      futures.add(
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < callsPerThread; i++) {
                  retries.addAndGet(attemptsOfOneFailingCall(budget) - 1);
                }
                return null;
              }));
    }
    start.countDown();
    for (Future<?> f : futures) {
      f.get(30, TimeUnit.SECONDS);
    }

    long calls = (long) threads * callsPerThread;
    assertThat(retries.get()).isEqualTo(100 + calls / 5);
    assertThat(budget.balance()).isZero();
  }
}
