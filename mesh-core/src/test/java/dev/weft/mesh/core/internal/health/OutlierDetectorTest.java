package dev.weft.mesh.core.internal.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.mesh.api.config.OutlierDetection;
import dev.weft.mesh.api.config.OutlierDetection.FailurePercentage;
import dev.weft.mesh.api.config.OutlierDetection.SuccessRate;
import dev.weft.mesh.api.runtime.RandomSource;
import dev.weft.mesh.api.runtime.Randoms;
import dev.weft.mesh.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OutlierDetectorTest {
  private static final Duration INTERVAL = Duration.ofSeconds(10);

  private final FakeTicker ticker = new FakeTicker();
  private final AtomicInteger notifications = new AtomicInteger();
  private ExecutorService pool;

  @AfterEach
  void stopPool() throws InterruptedException {
    if (pool != null) {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  private static OutlierDetection.Builder consecutiveOnly() {
    return OutlierDetection.builder()
        .interval(INTERVAL)
        .baseEjectionTime(Duration.ofSeconds(30))
        .maxEjectionTime(Duration.ofSeconds(300))
        .maxEjectionPercent(100)
        .consecutiveFailures(5);
  }

  private OutlierDetector detector(OutlierDetection config) {
    return detector(config, Randoms.seeded(7));
  }

  private OutlierDetector detector(OutlierDetection config, RandomSource random) {
    return new OutlierDetector(config, ticker, random, notifications::incrementAndGet);
  }

  private static List<OutlierTracker> trackers(OutlierDetector detector, int n) {
    List<OutlierTracker> trackers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      trackers.add(detector.newTracker("10.0.0." + (i + 1) + ":8080"));
    }
    return trackers;
  }

  private static void record(OutlierTracker tracker, OutcomeClass outcome, int times) {
    for (int i = 0; i < times; i++) {
      tracker.record(outcome);
    }
  }

  /**
   * Records {@code calls} outcomes of which {@code failures} are failures, spread through the
   * calls.
   */
  private static void recordMix(OutlierTracker tracker, int calls, int failures) {
    for (int i = 0; i < calls; i++) {
      // Bresenham-style spreading keeps runs of failures short, away from the consecutive
      // threshold.
      boolean fail = (long) (i + 1) * failures / calls > (long) i * failures / calls;
      tracker.record(fail ? OutcomeClass.FAILURE : OutcomeClass.SUCCESS);
    }
  }

  private void advanceAndRun(OutlierDetector detector, int intervals) {
    for (int i = 0; i < intervals; i++) {
      ticker.advance(INTERVAL);
      detector.runInterval();
    }
  }

  private static long ejectionNanos(OutlierTracker tracker, FakeTicker ticker) {
    return tracker.ejectedUntilNanos() - ticker.nanoTime();
  }

  @Test
  void ejectsAfterExactlyTheConfiguredConsecutiveFailures() {
    OutlierDetector detector = detector(consecutiveOnly().build());
    OutlierTracker tracker = detector.newTracker("a:1");

    record(tracker, OutcomeClass.FAILURE, 4);
    assertThat(tracker.ejected()).isFalse();
    assertThat(notifications).hasValue(0);

    tracker.record(OutcomeClass.FAILURE);
    assertThat(tracker.ejected()).isTrue();
    assertThat(tracker.ejectionCount()).isEqualTo(1);
    assertThat(detector.ejectedCount()).isEqualTo(1);
    assertThat(notifications).hasValue(1);
  }

  @Test
  void successResetsTheConsecutiveCount() {
    OutlierDetector detector = detector(consecutiveOnly().build());
    OutlierTracker tracker = detector.newTracker("a:1");

    record(tracker, OutcomeClass.FAILURE, 4);
    tracker.record(OutcomeClass.SUCCESS);
    record(tracker, OutcomeClass.GATEWAY_FAILURE, 4);
    assertThat(tracker.ejected()).isFalse();
    assertThat(tracker.consecutiveFailures()).isEqualTo(4);

    tracker.record(OutcomeClass.FAILURE);
    assertThat(tracker.ejected()).isTrue();
  }

  @Test
  void localOutcomesAreNotCounted() {
    OutlierDetector detector = detector(consecutiveOnly().build());
    OutlierTracker tracker = detector.newTracker("a:1");

    record(tracker, OutcomeClass.LOCAL, 100);
    record(tracker, OutcomeClass.FAILURE, 4);
    tracker.record(OutcomeClass.LOCAL);
    assertThat(tracker.ejected()).isFalse();
    tracker.record(OutcomeClass.FAILURE);
    assertThat(tracker.ejected()).isTrue();
  }

  @Test
  void consecutiveGatewayFailuresCountOnlyGatewayFailuresInARow() {
    OutlierDetector detector =
        detector(consecutiveOnly().consecutiveFailures(0).consecutiveGatewayFailures(3).build());
    OutlierTracker tracker = detector.newTracker("a:1");

    record(tracker, OutcomeClass.GATEWAY_FAILURE, 2);
    tracker.record(OutcomeClass.FAILURE); // a non-gateway 5xx breaks the run, as in Envoy
    record(tracker, OutcomeClass.GATEWAY_FAILURE, 2);
    record(tracker, OutcomeClass.FAILURE, 50); // consecutiveFailures is off
    assertThat(tracker.ejected()).isFalse();

    record(tracker, OutcomeClass.GATEWAY_FAILURE, 3);
    assertThat(tracker.ejected()).isTrue();
  }

  @Test
  void returnsTheEndpointWhenTheEjectionTimeHasPassed() {
    OutlierDetector detector = detector(consecutiveOnly().build());
    OutlierTracker tracker = detector.newTracker("a:1");
    record(tracker, OutcomeClass.FAILURE, 5);
    assertThat(notifications).hasValue(1);

    advanceAndRun(detector, 2); // 20 s of a 30 s ejection
    assertThat(tracker.ejected()).isTrue();
    assertThat(notifications).hasValue(1);

    advanceAndRun(detector, 1); // 30 s
    assertThat(tracker.ejected()).isFalse();
    assertThat(detector.ejectedCount()).isZero();
    assertThat(notifications).hasValue(2);
  }

  @Test
  void ejectionTimeGrowsWithRepeatedEjectionsAndIsCapped() {
    OutlierDetector detector =
        detector(
            consecutiveOnly()
                .baseEjectionTime(Duration.ofSeconds(10))
                .maxEjectionTime(Duration.ofSeconds(25))
                .build());
    OutlierTracker tracker = detector.newTracker("a:1");
    long[] expectedSeconds = {10, 20, 25, 25, 25};

    for (long seconds : expectedSeconds) {
      record(tracker, OutcomeClass.FAILURE, 5);
      assertThat(tracker.ejected()).isTrue();
      assertThat(ejectionNanos(tracker, ticker)).isEqualTo(Duration.ofSeconds(seconds).toNanos());
      // Run intervals until it returns; it must not return early.
      int intervals = 0;
      while (tracker.ejected()) {
        advanceAndRun(detector, 1);
        intervals++;
      }
      assertThat(intervals * INTERVAL.toSeconds())
          .isBetween(seconds, seconds + INTERVAL.toSeconds() - 1);
    }
    assertThat(tracker.ejectionCount()).isEqualTo(5);
    assertThat(tracker.ejectionMultiplier()).isEqualTo(3);
  }

  @Test
  void multiplierShrinksForEachIntervalTheEndpointStaysInService() {
    OutlierDetector detector = detector(consecutiveOnly().build()); // base 30 s, interval 10 s
    OutlierTracker tracker = detector.newTracker("a:1");
    for (int i = 0; i < 3; i++) {
      record(tracker, OutcomeClass.FAILURE, 5);
      while (tracker.ejected()) {
        advanceAndRun(detector, 1);
      }
    }
    assertThat(tracker.ejectionMultiplier()).isEqualTo(3);

    advanceAndRun(detector, 2);
    assertThat(tracker.ejectionMultiplier()).isEqualTo(1);
    record(tracker, OutcomeClass.FAILURE, 5);
    assertThat(ejectionNanos(tracker, ticker)).isEqualTo(Duration.ofSeconds(60).toNanos());

    while (tracker.ejected()) {
      advanceAndRun(detector, 1);
    }
    advanceAndRun(detector, 5);
    assertThat(tracker.ejectionMultiplier()).isZero();
    record(tracker, OutcomeClass.FAILURE, 5);
    assertThat(ejectionNanos(tracker, ticker)).isEqualTo(Duration.ofSeconds(30).toNanos());
  }

  @Test
  void neverEjectsMoreThanMaxEjectionPercent() {
    OutlierDetector detector = detector(consecutiveOnly().maxEjectionPercent(30).build());
    List<OutlierTracker> trackers = trackers(detector, 10);

    for (OutlierTracker tracker : trackers) {
      record(tracker, OutcomeClass.FAILURE, 20);
    }

    assertThat(trackers).filteredOn(OutlierTracker::ejected).hasSize(3);
    assertThat(detector.ejectedCount()).isEqualTo(3);
    assertThat(notifications).hasValue(3);
  }

  @Test
  void intervalEjectionAlsoRespectsMaxEjectionPercent() {
    OutlierDetector detector =
        detector(
            OutlierDetection.builder()
                .interval(INTERVAL)
                .maxEjectionPercent(30)
                .consecutiveFailures(0)
                .failurePercentage(new FailurePercentage(50, 5, 10, 100))
                .build());
    List<OutlierTracker> trackers = trackers(detector, 10);
    for (OutlierTracker tracker : trackers) {
      record(tracker, OutcomeClass.FAILURE, 20);
    }

    advanceAndRun(detector, 1);

    assertThat(trackers).filteredOn(OutlierTracker::ejected).hasSize(3);
    assertThat(notifications).hasValue(1);
  }

  @Test
  void aMaximumThatRoundsDownToZeroStillEjectsOneEndpointButZeroEjectsNone() {
    OutlierDetector tenPercentOfFive = detector(consecutiveOnly().maxEjectionPercent(10).build());
    List<OutlierTracker> five = trackers(tenPercentOfFive, 5);
    five.forEach(t -> record(t, OutcomeClass.FAILURE, 5));
    assertThat(five).filteredOn(OutlierTracker::ejected).hasSize(1);

    OutlierDetector zeroPercent = detector(consecutiveOnly().maxEjectionPercent(0).build());
    List<OutlierTracker> others = trackers(zeroPercent, 5);
    others.forEach(t -> record(t, OutcomeClass.FAILURE, 5));
    assertThat(others).noneMatch(OutlierTracker::ejected);
  }

  @Test
  void removingAnEjectedEndpointFreesItsSlot() {
    OutlierDetector detector = detector(consecutiveOnly().maxEjectionPercent(10).build());
    List<OutlierTracker> trackers = trackers(detector, 10);
    record(trackers.get(0), OutcomeClass.FAILURE, 5);
    record(trackers.get(1), OutcomeClass.FAILURE, 5);
    assertThat(trackers.get(0).ejected()).isTrue();
    assertThat(trackers.get(1).ejected()).isFalse();

    detector.remove(trackers.get(0));
    assertThat(detector.ejectedCount()).isZero();
    assertThat(detector.trackers()).hasSize(9).doesNotContain(trackers.get(0));

    record(trackers.get(1), OutcomeClass.FAILURE, 5);
    assertThat(trackers.get(1).ejected()).isTrue();
    record(trackers.get(0), OutcomeClass.FAILURE, 5); // a removed tracker never ejects
    assertThat(trackers.get(0).ejected()).isFalse();
  }

  @Test
  void successRateEjectsAClearOutlierAndNotANormalEndpoint() {
    OutlierDetector detector =
        detector(
            OutlierDetection.builder()
                .interval(INTERVAL)
                .maxEjectionPercent(50)
                .consecutiveFailures(0)
                .successRate(SuccessRate.DEFAULT) // 5 hosts, 100 calls, 1.9 stdev
                .build());
    List<OutlierTracker> trackers = trackers(detector, 10);
    int[] failuresPer200 = {0, 2, 4, 6, 8, 2, 4, 0, 6, 100};
    for (int i = 0; i < trackers.size(); i++) {
      recordMix(trackers.get(i), 200, failuresPer200[i]);
    }

    advanceAndRun(detector, 1);

    assertThat(trackers).filteredOn(OutlierTracker::ejected).containsExactly(trackers.get(9));
    assertThat(trackers.get(4).ejected()).as("the worst normal endpoint, 96%").isFalse();
    assertThat(trackers.get(9).lastIntervalFailures()).isEqualTo(100);
    assertThat(notifications).hasValue(1);
  }

  @Test
  void successRateNeedsMinimumHostsWithEnoughVolume() {
    OutlierDetector detector =
        detector(
            OutlierDetection.builder()
                .interval(INTERVAL)
                .maxEjectionPercent(50)
                .consecutiveFailures(0)
                .successRate(SuccessRate.DEFAULT)
                .build());
    List<OutlierTracker> trackers = trackers(detector, 10);
    for (int i = 0; i < 3; i++) {
      recordMix(trackers.get(i), 200, 0);
    }
    for (int i = 3; i < 9; i++) {
      recordMix(trackers.get(i), 99, 0); // below requestVolume
    }
    recordMix(trackers.get(9), 200, 150); // four endpoints have the volume; five are needed

    advanceAndRun(detector, 1);

    assertThat(trackers).noneMatch(OutlierTracker::ejected);
  }

  @Test
  void failurePercentageEjectsEndpointsOverTheThresholdOnly() {
    OutlierDetector detector =
        detector(
            OutlierDetection.builder()
                .interval(INTERVAL)
                .maxEjectionPercent(50)
                .consecutiveFailures(0)
                .failurePercentage(FailurePercentage.DEFAULT) // 85%, 5 hosts, 50 calls
                .build());
    List<OutlierTracker> trackers = trackers(detector, 10);
    for (int i = 0; i < 8; i++) {
      recordMix(trackers.get(i), 100, i);
    }
    recordMix(trackers.get(8), 100, 85); // at the threshold: not more than it
    recordMix(trackers.get(9), 100, 90);

    advanceAndRun(detector, 1);

    assertThat(trackers).filteredOn(OutlierTracker::ejected).containsExactly(trackers.get(9));
  }

  @Test
  void countsOfOneIntervalDoNotCarryIntoTheNext() {
    OutlierDetector detector =
        detector(
            OutlierDetection.builder()
                .interval(INTERVAL)
                .maxEjectionPercent(50)
                .consecutiveFailures(0)
                .failurePercentage(FailurePercentage.DEFAULT)
                .build());
    List<OutlierTracker> trackers = trackers(detector, 10);
    trackers.forEach(t -> recordMix(t, 40, 0));
    recordMix(trackers.get(9), 40, 40);
    advanceAndRun(detector, 1); // 40 calls each: below the volume of 50

    trackers.forEach(t -> recordMix(t, 40, 0));
    recordMix(trackers.get(9), 40, 40);
    advanceAndRun(detector, 1);

    assertThat(trackers).noneMatch(OutlierTracker::ejected);
    assertThat(trackers.get(9).lastIntervalFailures()).isEqualTo(40);
  }

  @Test
  void enforcingPercentIsDrawnFromTheRandomSource() {
    OutlierDetection config =
        OutlierDetection.builder()
            .interval(INTERVAL)
            .maxEjectionPercent(50)
            .consecutiveFailures(0)
            .failurePercentage(new FailurePercentage(85, 5, 50, 40))
            .build();
    for (int draw : new int[] {39, 40}) {
      OutlierDetector detector = detector(config, fixedDraw(draw));
      List<OutlierTracker> trackers = trackers(detector, 5);
      recordMix(trackers.get(0), 100, 100);
      trackers.subList(1, 5).forEach(t -> recordMix(t, 100, 0));

      advanceAndRun(detector, 1);

      assertThat(trackers.get(0).ejected()).as("draw %d against 40%%", draw).isEqualTo(draw < 40);
    }
  }

  @Test
  void disabledDetectionNeverEjects() {
    OutlierDetector detector = detector(OutlierDetection.DISABLED);
    List<OutlierTracker> trackers = trackers(detector, 10);
    for (OutlierTracker tracker : trackers) {
      record(tracker, OutcomeClass.FAILURE, 1000);
      record(tracker, OutcomeClass.GATEWAY_FAILURE, 1000);
    }
    advanceAndRun(detector, 3);

    assertThat(trackers).noneMatch(OutlierTracker::ejected);
    assertThat(detector.ejectedCount()).isZero();
    assertThat(notifications).hasValue(0);
  }

  @Test
  void disablingDetectionReturnsEveryEndpointAndForgetsItsHistory() {
    OutlierDetector detector = detector(consecutiveOnly().build());
    List<OutlierTracker> trackers = trackers(detector, 4);
    record(trackers.get(0), OutcomeClass.FAILURE, 5);
    record(trackers.get(1), OutcomeClass.FAILURE, 5);
    record(trackers.get(2), OutcomeClass.FAILURE, 3);
    assertThat(notifications).hasValue(2);

    detector.onConfigChange(OutlierDetection.DISABLED);

    assertThat(trackers).noneMatch(OutlierTracker::ejected);
    assertThat(trackers).allMatch(t -> t.ejectionMultiplier() == 0 && t.consecutiveFailures() == 0);
    assertThat(detector.ejectedCount()).isZero();
    assertThat(notifications).hasValue(3);

    detector.onConfigChange(consecutiveOnly().consecutiveFailures(2).build());
    record(trackers.get(3), OutcomeClass.FAILURE, 2);
    assertThat(trackers.get(3).ejected()).isTrue();
  }

  @Test
  void listenerIsCalledOnlyWhenTheEjectedSetChanges() {
    OutlierDetector detector = detector(consecutiveOnly().build());
    List<OutlierTracker> trackers = trackers(detector, 3);
    advanceAndRun(detector, 2);
    assertThat(notifications).hasValue(0);

    record(trackers.get(0), OutcomeClass.FAILURE, 5);
    record(trackers.get(1), OutcomeClass.FAILURE, 5);
    assertThat(notifications).hasValue(2);
    record(trackers.get(0), OutcomeClass.FAILURE, 5); // already ejected: no change
    assertThat(notifications).hasValue(2);

    advanceAndRun(detector, 3); // both return in the same run: one notification
    assertThat(trackers).noneMatch(OutlierTracker::ejected);
    assertThat(notifications).hasValue(3);
  }

  @Test
  void aFailingListenerDoesNotBreakTheCallPath() {
    OutlierDetector detector =
        new OutlierDetector(
            consecutiveOnly().build(),
            ticker,
            Randoms.seeded(1),
            () -> {
              throw new IllegalStateException("boom");
            });
    OutlierTracker tracker = detector.newTracker("a:1");
    record(tracker, OutcomeClass.FAILURE, 5);
    assertThat(tracker.ejected()).isTrue();
  }

  @Test
  void ejectedUntilIsShownOnTheWallClock() {
    OutlierDetector detector = detector(consecutiveOnly().build());
    OutlierTracker tracker = detector.newTracker("a:1");
    assertThat(tracker.ejectedUntil()).isEmpty();
    ticker.advanceMillis(1234);
    record(tracker, OutcomeClass.FAILURE, 5);
    assertThat(tracker.ejectedUntil())
        .hasValueSatisfying(
            until ->
                assertThat(until.toEpochMilli()).isEqualTo(ticker.currentTimeMillis() + 30_000));
  }

  @Test
  void concurrentFailuresNeverEjectMoreThanTheMaximum() throws Exception {
    OutlierDetector detector = detector(consecutiveOnly().maxEjectionPercent(25).build());
    List<OutlierTracker> trackers = trackers(detector, 20);
    AtomicInteger maxSeen = new AtomicInteger();
    pool = Executors.newFixedThreadPool(8);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int offset = t;
      futures.add(
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < 20_000; i++) {
                  OutlierTracker tracker = trackers.get((i + offset) % trackers.size());
                  tracker.record(i % 7 == 0 ? OutcomeClass.SUCCESS : OutcomeClass.FAILURE);
                  maxSeen.accumulateAndGet(detector.ejectedCount(), Math::max);
                }
                return null;
              }));
    }
    start.countDown();
    for (Future<?> f : futures) {
      f.get(30, TimeUnit.SECONDS);
    }

    assertThat(maxSeen.get()).isLessThanOrEqualTo(5);
    assertThat(trackers).filteredOn(OutlierTracker::ejected).hasSize(5);
    assertThat(detector.ejectedCount()).isEqualTo(5);
  }

  @Test
  void outcomeClassesFollowEnvoysMapping() {
    assertThat(OutcomeClass.ofHttpStatus(200)).isEqualTo(OutcomeClass.SUCCESS);
    assertThat(OutcomeClass.ofHttpStatus(404)).isEqualTo(OutcomeClass.SUCCESS);
    assertThat(OutcomeClass.ofHttpStatus(500)).isEqualTo(OutcomeClass.FAILURE);
    assertThat(OutcomeClass.ofHttpStatus(501)).isEqualTo(OutcomeClass.FAILURE);
    assertThat(OutcomeClass.ofHttpStatus(502)).isEqualTo(OutcomeClass.GATEWAY_FAILURE);
    assertThat(OutcomeClass.ofHttpStatus(503)).isEqualTo(OutcomeClass.GATEWAY_FAILURE);
    assertThat(OutcomeClass.ofHttpStatus(504)).isEqualTo(OutcomeClass.GATEWAY_FAILURE);
    assertThat(OutcomeClass.ofHttpStatus(599)).isEqualTo(OutcomeClass.FAILURE);
    assertThat(OutcomeClass.ofGrpcStatus(0)).isEqualTo(OutcomeClass.SUCCESS);
    assertThat(OutcomeClass.ofGrpcStatus(1)).isEqualTo(OutcomeClass.LOCAL);
    assertThat(OutcomeClass.ofGrpcStatus(2)).isEqualTo(OutcomeClass.FAILURE);
    assertThat(OutcomeClass.ofGrpcStatus(4)).isEqualTo(OutcomeClass.LOCAL);
    assertThat(OutcomeClass.ofGrpcStatus(5)).isEqualTo(OutcomeClass.SUCCESS);
    assertThat(OutcomeClass.ofGrpcStatus(13)).isEqualTo(OutcomeClass.FAILURE);
    assertThat(OutcomeClass.ofGrpcStatus(14)).isEqualTo(OutcomeClass.GATEWAY_FAILURE);
    assertThat(OutcomeClass.ofGrpcStatus(15)).isEqualTo(OutcomeClass.FAILURE);
    assertThat(OutcomeClass.ofGrpcStatus(99)).isEqualTo(OutcomeClass.FAILURE);
  }

  private static RandomSource fixedDraw(int value) {
    return new RandomSource() {
      @Override
      public int nextInt(int bound) {
        return value % bound;
      }

      @Override
      public double nextDouble() {
        return value / 100.0;
      }

      @Override
      public long nextLong() {
        return value;
      }
    };
  }
}
