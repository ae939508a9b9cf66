package dev.weft.mesh.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.api.config.CircuitBreakers;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.HedgingPolicy;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.RetryOn;
import dev.weft.mesh.api.config.RetryPolicy;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.api.runtime.Randoms;
import dev.weft.mesh.core.internal.health.ClusterLimits;
import dev.weft.mesh.core.spi.AttemptOutcome;
import dev.weft.mesh.core.spi.CallHandle;
import dev.weft.mesh.testing.FakeScheduler;
import dev.weft.mesh.testing.FakeTicker;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every way a call ends gives back the concurrent-retry permits its retries and hedges took: the
 * cluster's count of active retries is back at zero after each, and was above zero while they ran
 * (so the count is what these tests watch, not an idle cluster).
 */
class RetryPermitTest {
  private static final Pattern ACTIVE_RETRIES = Pattern.compile("\"activeRetries\": (\\d+)");
  private static final Pattern ACTIVE_REQUESTS = Pattern.compile("\"activeRequests\": (\\d+)");

  private final FakeTicker ticker = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private final FakeAdapter adapter = new FakeAdapter();
  private Mesh mesh;

  @AfterEach
  void close() {
    if (mesh != null) {
      mesh.close();
    }
  }

  private void retrying(Duration perTryTimeout) {
    RetryPolicy.Builder retry =
        RetryPolicy.builder()
            .maxAttempts(3)
            .retryOn(RetryOn.RESET, RetryOn.FIVE_XX)
            .initialBackoff(Duration.ofMillis(10))
            .maxBackoff(Duration.ofMillis(10));
    if (perTryTimeout != null) {
      retry.perTryTimeout(perTryTimeout);
    }
    start(
        Route.builder("r")
            .destinations(Destination.of("c"))
            .timeout(Duration.ofSeconds(1))
            .retry(retry.build())
            .build());
  }

  private void hedging() {
    start(
        Route.builder("r")
            .destinations(Destination.of("c"))
            .hedging(HedgingPolicy.fixed(3, Duration.ofMillis(10)))
            .build());
  }

  private void start(Route route) {
    Cluster c =
        Cluster.builder("c")
            .endpoints(
                Endpoint.of("127.0.0.1", 1),
                Endpoint.of("127.0.0.1", 2),
                Endpoint.of("127.0.0.1", 3))
            .circuitBreakers(new CircuitBreakers(100, 100, 100, 10))
            .build();
    mesh =
        Mesh.builder()
            .config(MeshConfig.builder().cluster(c).service(Service.of("svc", route)).build())
            .ticker(ticker)
            .scheduler(scheduler)
            .random(Randoms.seeded(7))
            .build();
  }

  private int count(Pattern p) {
    Matcher m = p.matcher(mesh.configDump());
    assertThat(m.find()).as("the dump shows %s", p).isTrue();
    return Integer.parseInt(m.group(1));
  }

  private int activeRetries() {
    return count(ACTIVE_RETRIES);
  }

  private FakeAdapter.Result call(FakeAdapter.Result r) {
    mesh.call(TestRequest.to("svc"), adapter, r);
    return r;
  }

  @Test
  void aRetryThatSucceedsGivesItsPermitBack() {
    retrying(null);
    adapter.answerAll(s -> s.number == 0 ? AttemptOutcome.http(503) : AttemptOutcome.http(200));
    FakeAdapter.Result r = call(new FakeAdapter.Result());
    assertThat(activeRetries()).as("held through the backoff").isEqualTo(1);
    scheduler.advance(Duration.ofMillis(20));
    assertThat(r.completed.outcome).isEqualTo(AttemptOutcome.http(200));
    assertThat(activeRetries()).isZero();
    assertThat(count(ACTIVE_REQUESTS)).isZero();
  }

  @Test
  void retriesThatAllFailGiveTheirPermitsBack() {
    retrying(null);
    adapter.answerAll(s -> AttemptOutcome.http(503));
    FakeAdapter.Result r = call(new FakeAdapter.Result());
    scheduler.advance(Duration.ofMillis(100));
    assertThat(adapter.attempts).hasSize(3);
    assertThat(r.completed.outcome).isEqualTo(AttemptOutcome.http(503));
    assertThat(activeRetries()).isZero();
  }

  @Test
  void aCallCancelledWhileItsRetryBacksOffGivesThePermitBack() {
    retrying(null);
    adapter.answerAll(s -> AttemptOutcome.http(503));
    FakeAdapter.Result r = new FakeAdapter.Result();
    CallHandle handle = mesh.call(TestRequest.to("svc"), adapter, r);
    assertThat(activeRetries()).as("held through the backoff").isEqualTo(1);
    handle.cancel();
    assertThat(r.done()).isTrue();
    assertThat(activeRetries()).isZero();
    scheduler.advance(Duration.ofMillis(100));
    assertThat(adapter.attempts).hasSize(1);
    assertThat(activeRetries()).isZero();
  }

  @Test
  void aCallCancelledWithItsRetryInFlightGivesThePermitBack() {
    retrying(null);
    adapter.answerAll(s -> s.number == 0 ? AttemptOutcome.http(503) : null);
    FakeAdapter.Result r = new FakeAdapter.Result();
    CallHandle handle = mesh.call(TestRequest.to("svc"), adapter, r);
    scheduler.advance(Duration.ofMillis(20));
    assertThat(adapter.attempts).hasSize(2);
    assertThat(activeRetries()).as("held by the retry in flight").isEqualTo(1);
    handle.cancel();
    assertThat(adapter.attempts.get(1).cancelled).isTrue();
    assertThat(r.done()).isTrue();
    assertThat(activeRetries()).isZero();
  }

  @Test
  void retriesThatTimeOutGiveTheirPermitsBack() {
    retrying(Duration.ofMillis(40));
    // Like a real adapter: enforce the attempt's timeout with the protocol's own deadline.
    adapter.answerAll(
        s -> {
          scheduler.schedule(() -> s.complete(AttemptOutcome.TIMEOUT), s.timeoutNanos);
          return null;
        });
    FakeAdapter.Result r = call(new FakeAdapter.Result());
    scheduler.advance(Duration.ofMillis(45));
    assertThat(activeRetries()).as("held through the backoff or by the retry").isEqualTo(1);
    scheduler.advance(Duration.ofSeconds(2));
    assertThat(r.completed.outcome).isEqualTo(AttemptOutcome.TIMEOUT);
    assertThat(adapter.attempts).hasSize(3);
    assertThat(activeRetries()).isZero();
  }

  @Test
  void aCallWhoseDeadlinePassesInTheBackoffGivesThePermitBack() {
    start(
        Route.builder("r")
            .destinations(Destination.of("c"))
            .timeout(Duration.ofMillis(50))
            .retry(
                RetryPolicy.builder()
                    .maxAttempts(3)
                    .retryOn(RetryOn.FIVE_XX)
                    .initialBackoff(Duration.ofMillis(30))
                    .maxBackoff(Duration.ofMillis(30))
                    .build())
            .build());
    adapter.answerAll(s -> AttemptOutcome.http(503));
    FakeAdapter.Result r = call(new FakeAdapter.Result());
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(r.done()).isTrue();
    assertThat(activeRetries()).isZero();
  }

  @Test
  void theLosingHedgeGivesItsPermitBack() {
    hedging();
    adapter.answerAll(FakeAdapter.HANG);
    FakeAdapter.Result r = call(new FakeAdapter.Result());
    scheduler.advance(Duration.ofMillis(10));
    assertThat(adapter.attempts).hasSize(2);
    assertThat(activeRetries()).as("held by the hedge").isEqualTo(1);
    // The first attempt wins; the hedge loses and is cancelled.
    adapter.attempts.get(0).complete(AttemptOutcome.http(200));
    assertThat(r.completed).isSameAs(adapter.attempts.get(0));
    assertThat(adapter.attempts.get(1).cancelled).isTrue();
    assertThat(activeRetries()).isZero();
  }

  @Test
  void cancellingAHedgedCallGivesEveryHedgesPermitBack() {
    hedging();
    adapter.answerAll(FakeAdapter.HANG);
    FakeAdapter.Result r = new FakeAdapter.Result();
    CallHandle handle = mesh.call(TestRequest.to("svc"), adapter, r);
    scheduler.advance(Duration.ofMillis(20));
    assertThat(adapter.attempts).hasSize(3);
    assertThat(activeRetries()).isEqualTo(2);
    handle.cancel();
    assertThat(r.done()).isTrue();
    assertThat(activeRetries()).isZero();
  }

  @Test
  void aRetryTheAdapterCannotStartGivesItsPermitBack() {
    retrying(null);
    adapter.answerAll(
        s -> {
          if (s.number == 1) {
            throw new IllegalStateException("no connection");
          }
          return AttemptOutcome.http(503);
        });
    FakeAdapter.Result r = call(new FakeAdapter.Result());
    scheduler.advance(Duration.ofMillis(20));
    assertThat(r.failure.reason()).isEqualTo(MeshException.Reason.INTERNAL_ERROR);
    assertThat(activeRetries()).isZero();
  }

  @Test
  void releasingTwiceGivesBackOnlyOnce() {
    ClusterLimits limits = new ClusterLimits(new CircuitBreakers(10, 10, 10, 2));
    assertThat(limits.tryAcquireRetry()).isTrue(); // someone else's
    RetryPermit permit = RetryPermit.tryAcquire(limits);
    assertThat(limits.activeRetries()).isEqualTo(2);
    assertThat(RetryPermit.tryAcquire(limits)).as("over the limit").isNull();
    permit.release();
    permit.release();
    assertThat(limits.activeRetries()).isEqualTo(1);
    RetryPermit.NONE.release();
    assertThat(limits.activeRetries()).isEqualTo(1);
  }
}
