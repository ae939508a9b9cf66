package dev.weft.mesh.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.api.config.CanaryPolicy;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.api.runtime.Randoms;
import dev.weft.mesh.core.spi.Attempt;
import dev.weft.mesh.core.spi.AttemptAdapter;
import dev.weft.mesh.core.spi.AttemptContext;
import dev.weft.mesh.core.spi.AttemptOutcome;
import dev.weft.mesh.core.spi.AttemptSink;
import dev.weft.mesh.core.spi.CallListener;
import dev.weft.mesh.testing.FakeScheduler;
import dev.weft.mesh.testing.FakeTicker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The canary guard in the engine, on simulated time: a fake clock and scheduler, 200 calls a
 * second, and seeded outcomes and latencies per destination.
 */
class CanaryGuardTest {
  private static final String STABLE = "127.0.0.1:1001";
  private static final String CANARY = "127.0.0.1:2001";
  private static final long CALL_EVERY_NANOS = Duration.ofMillis(5).toNanos(); // 200 calls/s

  private final FakeTicker ticker =
      new FakeTicker(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli());
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final SimulatedBackends backends = new SimulatedBackends(scheduler, new Random(20));
  private StaticConfigSource source;
  private Mesh mesh;

  @AfterEach
  void close() {
    if (mesh != null) {
      mesh.close();
    }
  }

  private static MeshConfig config(
      String version, int stableWeight, int canaryWeight, CanaryPolicy guard) {
    return MeshConfig.builder()
        .version(version)
        .cluster(Cluster.builder("stable").endpoints(Endpoint.of("127.0.0.1", 1001)).build())
        .cluster(Cluster.builder("canary").endpoints(Endpoint.of("127.0.0.1", 2001)).build())
        .service(
            Service.of(
                "reviews",
                Route.builder("all")
                    .destinations(
                        Destination.of("stable", "", stableWeight),
                        Destination.of("canary", "", canaryWeight))
                    .canary(guard)
                    .build()))
        .build();
  }

  private Mesh mesh(MeshConfig config) {
    source = new StaticConfigSource(config);
    mesh =
        Mesh.builder()
            .configSource(source)
            .ticker(ticker)
            .scheduler(scheduler)
            .random(Randoms.seeded(7))
            .meterRegistry(registry)
            .build();
    return mesh;
  }

  private CanaryStatus status() {
    return mesh.canaryGuards().status("reviews", "all").orElseThrow();
  }

  /** Calls at 200 a second for {@code d}; returns the user calls that failed on the canary. */
  private Tally run(Duration d) {
    Tally t = new Tally();
    long end = ticker.nanoTime() + d.toNanos();
    while (ticker.nanoTime() < end) {
      mesh.call(TestRequest.to("reviews"), backends, t);
      scheduler.advance(Duration.ofNanos(CALL_EVERY_NANOS));
    }
    return t;
  }

  /**
   * Runs until the guard rolls back, at most {@code d}; the tally then holds what failed before.
   */
  private Tally runUntilRollback(Duration d) {
    Tally t = new Tally();
    long end = ticker.nanoTime() + d.toNanos();
    while (ticker.nanoTime() < end && status().state() != CanaryStatus.State.ROLLED_BACK) {
      mesh.call(TestRequest.to("reviews"), backends, t);
      scheduler.advance(Duration.ofNanos(CALL_EVERY_NANOS));
    }
    // Calls already in flight end too.
    scheduler.advance(Duration.ofSeconds(1));
    return t;
  }

  @Test
  void aCanaryFailingOneCallInFiveIsRolledBackWithinFiveSecondsWithFewerThanFiftyFailedCalls() {
    mesh(config("v1", 80, 20, CanaryPolicy.of("stable", "canary")));
    run(Duration.ofSeconds(30)); // both healthy: the guard has a window to compare with
    assertThat(status().state()).isEqualTo(CanaryStatus.State.HEALTHY);

    backends.canaryErrorRate = 0.2;
    Instant onset = Instant.ofEpochMilli(ticker.currentTimeMillis());
    Tally t = runUntilRollback(Duration.ofSeconds(30));
    CanaryEvent rollback = last(status().history());
    assertThat(rollback.kind()).isEqualTo(CanaryEvent.Kind.ROLLED_BACK);
    Duration took = Duration.between(onset, rollback.at());
    System.out.printf(
        "canary failing 20%% at 20%% of 200 calls/s: rolled back %d ms after onset, %d user calls failed: %s%n",
        took.toMillis(), t.canaryFailures, rollback.reason());
    assertThat(took).isLessThanOrEqualTo(Duration.ofSeconds(5));
    assertThat(t.canaryFailures).isLessThan(50);
    assertThat(rollback.evidence().test()).isEqualTo("errors");
    assertThat(status().canaryPercent()).isZero();

    // From now on no call reaches the canary, and the verdict is exported.
    Tally after = run(Duration.ofSeconds(10));
    assertThat(after.toCanary).isZero();
    assertThat(after.toStable).isGreaterThan(1990); // a few are still in flight
    assertThat(registry.get(CanaryGuard.ROLLBACKS).tag("test", "errors").counter().count())
        .isEqualTo(1);
    assertThat(registry.get(CanaryGuard.STATE).gauge().value()).isEqualTo(2);
    assertThat(mesh.configDump()).contains("\"canaries\"").contains("rolled_back");
  }

  @Test
  void aRollbackHoldsAcrossUnrelatedUpdatesAndEndsWhenTheRouteChanges() {
    mesh(config("v1", 80, 20, CanaryPolicy.of("stable", "canary")));
    run(Duration.ofSeconds(20));
    backends.canaryErrorRate = 0.5;
    runUntilRollback(Duration.ofSeconds(30));
    assertThat(status().state()).isEqualTo(CanaryStatus.State.ROLLED_BACK);

    // A new version with the same route (an endpoint update, say) keeps the canary out.
    source.update(config("v2", 80, 20, CanaryPolicy.of("stable", "canary")));
    assertThat(mesh.configVersion()).isEqualTo("v2");
    assertThat(run(Duration.ofSeconds(5)).toCanary).isZero();
    assertThat(status().state()).isEqualTo(CanaryStatus.State.ROLLED_BACK);

    // A new split is a new rollout: the guard starts over with the configured weights.
    backends.canaryErrorRate = 0;
    source.update(config("v3", 90, 10, CanaryPolicy.of("stable", "canary")));
    assertThat(status().state()).isEqualTo(CanaryStatus.State.WARMING_UP);
    assertThat(status().history())
        .extracting(CanaryEvent::kind)
        .containsExactly(CanaryEvent.Kind.STARTED);
    Tally t = run(Duration.ofSeconds(20));
    assertThat(t.toCanary).isBetween(300, 500);
    assertThat(status().state()).isEqualTo(CanaryStatus.State.HEALTHY);
  }

  @Test
  void twoHealthyDestinationsNeverFireOverTenMinutes() {
    // Both fail 1% of calls and have the same latency: the guard must stay quiet. The bound: at
    // most alpha = 1e-6 per evaluation and test, so at most 2 * 600 * 1e-6 = 0.0012 over these 600
    // evaluations; the seed is fixed, and the largest statistics show the margin.
    backends.stableErrorRate = 0.01;
    backends.canaryErrorRate = 0.01;
    mesh(config("v1", 50, 50, CanaryPolicy.of("stable", "canary")));
    double maxErrors = 0;
    double maxLatency = 0;
    for (int s = 0; s < 600; s++) {
      run(Duration.ofSeconds(1));
      CanaryStatus st = status();
      assertThat(st.state()).isNotEqualTo(CanaryStatus.State.ROLLED_BACK);
      maxErrors = Math.max(maxErrors, st.evidence().errorStatistic());
      maxLatency = Math.max(maxLatency, st.evidence().latencyStatistic());
    }
    System.out.printf(
        "two healthy destinations, 10 min at 200 calls/s: largest statistics %.2f (errors), %.2f (latency), threshold %.2f%n",
        maxErrors, maxLatency, status().evidence().threshold());
    assertThat(status().state()).isEqualTo(CanaryStatus.State.HEALTHY);
    assertThat(status().canaryPercent()).isEqualTo(50);
    assertThat(status().history()).hasSize(1);
    assertThat(maxErrors).isLessThan(status().evidence().threshold());
  }

  @Test
  void aCanaryJustWithinTheErrorThresholdIsNotRolledBackOverTenMinutes() {
    // The baseline fails 1%, the canary 5%: four points worse, within the allowed five.
    backends.stableErrorRate = 0.01;
    backends.canaryErrorRate = 0.05;
    mesh(config("v1", 50, 50, CanaryPolicy.of("stable", "canary")));
    double max = 0;
    for (int s = 0; s < 600; s++) {
      run(Duration.ofSeconds(1));
      assertThat(status().state()).isNotEqualTo(CanaryStatus.State.ROLLED_BACK);
      max = Math.max(max, status().evidence().errorStatistic());
    }
    System.out.printf(
        "canary at 5%% errors against a baseline at 1%%, 10 min: largest error statistic %.2f of %.2f%n",
        max, status().evidence().threshold());
    assertThat(status().state()).isEqualTo(CanaryStatus.State.HEALTHY);
  }

  @Test
  void aCanaryThreeTimesSlowerIsRolledBackByTheLatencyTest() {
    mesh(config("v1", 80, 20, CanaryPolicy.of("stable", "canary")));
    run(Duration.ofSeconds(30));
    backends.canaryLatencyFactor = 3;
    long onset = ticker.nanoTime();
    runUntilRollback(Duration.ofSeconds(30));
    CanaryEvent rollback = last(status().history());
    assertThat(rollback.kind()).isEqualTo(CanaryEvent.Kind.ROLLED_BACK);
    assertThat(rollback.evidence().test()).isEqualTo("latency");
    assertThat(rollback.evidence().canaryLatency())
        .isGreaterThan(rollback.evidence().baselineLatency());
    assertThat(Duration.ofNanos(ticker.nanoTime() - onset)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void promotionMovesFiveTwentyFiveFiftyHundredOnScheduleWhileHealthy() {
    Instant start = Instant.ofEpochMilli(ticker.currentTimeMillis()).plusSeconds(10);
    mesh(
        config(
            "v1",
            100,
            0,
            CanaryPolicy.builder("stable", "canary")
                .promotion(List.of(5.0, 25.0, 50.0, 100.0), Duration.ofMinutes(1), start)
                .build()));
    assertThat(status().canaryPercent()).isZero();
    assertThat(status().step()).isEqualTo(-1);
    double[] expected = {5, 25, 50, 100};
    long t0 = ticker.nanoTime();
    for (int i = 0; i < 4; i++) {
      // Just before the step's time the canary is on the step before; just after, on this one.
      long due = t0 + Duration.ofSeconds(10 + 60L * i).toNanos();
      runUntil(due - Duration.ofMillis(1500).toNanos());
      assertThat(status().canaryPercent()).isEqualTo(i == 0 ? 0 : expected[i - 1]);
      runUntil(due + Duration.ofMillis(1500).toNanos());
      assertThat(status().canaryPercent()).as("step %d", i + 1).isEqualTo(expected[i]);
      assertThat(status().step()).isEqualTo(i);
      Tally t = run(Duration.ofSeconds(20));
      double share = 100.0 * t.toCanary / (t.toCanary + t.toStable);
      assertThat(share)
          .as("share of calls on step %d", i + 1)
          .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(4.0));
    }
    assertThat(status().state()).isEqualTo(CanaryStatus.State.PROMOTED);
    assertThat(status().history())
        .extracting(CanaryEvent::kind, CanaryEvent::canaryPercentAfter)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(CanaryEvent.Kind.STARTED, 0.0),
            org.assertj.core.groups.Tuple.tuple(CanaryEvent.Kind.PROMOTED, 5.0),
            org.assertj.core.groups.Tuple.tuple(CanaryEvent.Kind.PROMOTED, 25.0),
            org.assertj.core.groups.Tuple.tuple(CanaryEvent.Kind.PROMOTED, 50.0),
            org.assertj.core.groups.Tuple.tuple(CanaryEvent.Kind.PROMOTED, 100.0));
    for (int i = 1; i < 5; i++) {
      assertThat(status().history().get(i).at()).isEqualTo(start.plusSeconds(60L * (i - 1)));
    }
  }

  private void runUntil(long nanos) {
    run(Duration.ofNanos(nanos - ticker.nanoTime()));
  }

  @Test
  void promotionStopsAtTheStepWhereTheCanaryGoesBad() {
    Instant start = Instant.ofEpochMilli(ticker.currentTimeMillis());
    mesh(
        config(
            "v1",
            100,
            0,
            CanaryPolicy.builder("stable", "canary")
                .promotion(List.of(5.0, 25.0, 50.0, 100.0), Duration.ofMinutes(1), start)
                .build()));
    run(Duration.ofSeconds(90)); // on 25% since 60 s
    assertThat(status().canaryPercent()).isEqualTo(25);
    backends.canaryErrorRate = 0.2;
    run(Duration.ofSeconds(120)); // past the times of 50% and 100%
    assertThat(status().state()).isEqualTo(CanaryStatus.State.ROLLED_BACK);
    assertThat(status().canaryPercent()).isZero();
    assertThat(status().history())
        .extracting(CanaryEvent::kind, CanaryEvent::canaryPercentAfter)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(CanaryEvent.Kind.STARTED, 5.0),
            org.assertj.core.groups.Tuple.tuple(CanaryEvent.Kind.PROMOTED, 25.0),
            org.assertj.core.groups.Tuple.tuple(CanaryEvent.Kind.ROLLED_BACK, 0.0));
    assertThat(status().history().get(2).canaryPercentBefore()).isEqualTo(25);
  }

  private static CanaryEvent last(List<CanaryEvent> events) {
    return events.get(events.size() - 1);
  }

  /** The user's side: which destination answered and how. */
  static final class Tally implements CallListener<String> {
    int toStable;
    int toCanary;
    int canaryFailures;
    int stableFailures;
    int meshFailures;

    @Override
    public void onComplete(String result) {
      boolean canary = result.startsWith(CANARY);
      boolean failed = result.endsWith("500");
      if (canary) {
        toCanary++;
        canaryFailures += failed ? 1 : 0;
      } else {
        toStable++;
        stableFailures += failed ? 1 : 0;
      }
    }

    @Override
    public void onFailure(MeshException failure) {
      meshFailures++;
    }
  }

  /**
   * Two backends on simulated time: each call ends after a log-normal latency (median 20 ms) and
   * fails with its destination's error rate, drawn from one seeded random.
   */
  static final class SimulatedBackends implements AttemptAdapter<String> {
    private final FakeScheduler scheduler;
    private final Random random;
    volatile double stableErrorRate;
    volatile double canaryErrorRate;
    volatile double canaryLatencyFactor = 1;

    SimulatedBackends(FakeScheduler scheduler, Random random) {
      this.scheduler = scheduler;
      this.random = random;
    }

    @Override
    public Attempt start(AttemptContext context, AttemptSink<String> sink) {
      String address = context.endpoint().address();
      boolean canary = address.equals(CANARY);
      double errorRate = canary ? canaryErrorRate : stableErrorRate;
      boolean fail = random.nextDouble() < errorRate;
      double latencyMillis =
          20 * Math.exp(0.25 * random.nextGaussian()) * (canary ? canaryLatencyFactor : 1);
      AttemptOutcome outcome = AttemptOutcome.http(fail ? 500 : 200);
      scheduler.schedule(
          () -> sink.complete(address + " " + outcome.httpStatus(), outcome),
          (long) (latencyMillis * 1e6));
      return () -> {};
    }

    @Override
    public void discard(String result) {}
  }
}
