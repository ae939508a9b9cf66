package dev.weft.mesh.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.config.LocalRateLimit;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.Resilience4jInstances;
import dev.weft.mesh.api.config.RetryOn;
import dev.weft.mesh.api.config.RetryPolicy;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.api.runtime.Randoms;
import dev.weft.mesh.core.spi.AttemptOutcome;
import dev.weft.mesh.core.spi.CallGuard;
import dev.weft.mesh.core.spi.CallGuardFactory;
import dev.weft.mesh.testing.FakeScheduler;
import dev.weft.mesh.testing.FakeTicker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The engine's side of the {@link CallGuard} hook: when it asks, what it tells, in what order. */
class CallGuardTest {
  private final FakeTicker ticker = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private final FakeAdapter adapter = new FakeAdapter();
  private final Map<String, RecordingGuard> guards = new ConcurrentHashMap<>();
  private final List<String> order = new CopyOnWriteArrayList<>();
  private final CallGuardFactory factory =
      (owner, names) ->
          guards.computeIfAbsent(
              names.circuitBreaker().isEmpty() ? names.bulkhead() : names.circuitBreaker(),
              n -> new RecordingGuard(n, order));
  private Mesh mesh;

  @AfterEach
  void close() {
    if (mesh != null) {
      mesh.close();
    }
  }

  private void mesh(Route.Builder route, Resilience4jInstances onCluster) {
    mesh =
        Mesh.builder()
            .config(
                MeshConfig.builder()
                    .cluster(
                        Cluster.builder("c")
                            .endpoints(
                                Endpoint.of("127.0.0.1", 1001), Endpoint.of("127.0.0.1", 1002))
                            .resilience4j(onCluster)
                            .build())
                    .service(Service.of("svc", route.destinations(Destination.of("c")).build()))
                    .build())
            .callGuards(factory)
            .ticker(ticker)
            .scheduler(scheduler)
            .random(Randoms.seeded(7))
            .build();
  }

  private static Route.Builder guardedRoute() {
    return Route.builder("r").resilience4j(Resilience4jInstances.circuitBreaker("route"));
  }

  private FakeAdapter.Result call() {
    FakeAdapter.Result r = new FakeAdapter.Result();
    mesh.call(TestRequest.to("svc"), adapter, r);
    return r;
  }

  private CallGuard.Verdict verdictOf(AttemptOutcome outcome) {
    adapter.answerAll(s -> outcome);
    RecordingGuard g = guards.get("route");
    int before = g.ends.size();
    call();
    assertThat(g.ends).hasSize(before + 1);
    return g.ends.get(before);
  }

  @Test
  void theCallsOutcomeIsClassifiedAsTheEngineClassifiesIt() {
    mesh(guardedRoute(), Resilience4jInstances.NONE);
    assertThat(verdictOf(AttemptOutcome.http(200))).isEqualTo(CallGuard.Verdict.SUCCESS);
    assertThat(verdictOf(AttemptOutcome.http(404))).isEqualTo(CallGuard.Verdict.SUCCESS);
    assertThat(verdictOf(AttemptOutcome.http(429))).isEqualTo(CallGuard.Verdict.SUCCESS);
    assertThat(verdictOf(AttemptOutcome.http(500))).isEqualTo(CallGuard.Verdict.FAILURE);
    assertThat(verdictOf(AttemptOutcome.http(503))).isEqualTo(CallGuard.Verdict.FAILURE);
    assertThat(verdictOf(AttemptOutcome.grpc("OK"))).isEqualTo(CallGuard.Verdict.SUCCESS);
    assertThat(verdictOf(AttemptOutcome.grpc("INVALID_ARGUMENT")))
        .isEqualTo(CallGuard.Verdict.SUCCESS);
    assertThat(verdictOf(AttemptOutcome.grpc("NOT_FOUND"))).isEqualTo(CallGuard.Verdict.SUCCESS);
    assertThat(verdictOf(AttemptOutcome.grpc("UNAVAILABLE"))).isEqualTo(CallGuard.Verdict.FAILURE);
    assertThat(verdictOf(AttemptOutcome.grpc("INTERNAL"))).isEqualTo(CallGuard.Verdict.FAILURE);
    assertThat(verdictOf(AttemptOutcome.CONNECT_FAILURE)).isEqualTo(CallGuard.Verdict.FAILURE);
    assertThat(verdictOf(AttemptOutcome.RESET)).isEqualTo(CallGuard.Verdict.FAILURE);
    assertThat(verdictOf(AttemptOutcome.TIMEOUT)).isEqualTo(CallGuard.Verdict.FAILURE);
  }

  @Test
  void aGuardHearsEachCallOnceAfterItsRetries() {
    mesh(
        guardedRoute()
            .retry(RetryPolicy.builder().maxAttempts(3).retryOn(Set.of(RetryOn.FIVE_XX)).build()),
        Resilience4jInstances.NONE);
    adapter.answer("127.0.0.1:1001", s -> AttemptOutcome.http(503));
    adapter.answer("127.0.0.1:1002", s -> AttemptOutcome.http(503));
    FakeAdapter.Result r = call();
    for (int i = 0; i < 10 && !r.done(); i++) {
      scheduler.advance(Duration.ofSeconds(1));
    }
    assertThat(adapter.attempts).hasSize(3);
    assertThat(r.completed.outcome).isEqualTo(AttemptOutcome.http(503));
    RecordingGuard g = guards.get("route");
    assertThat(g.admitted).isEqualTo(1);
    assertThat(g.ends).containsExactly(CallGuard.Verdict.FAILURE);
  }

  @Test
  void aRefusedCallMakesNoAttemptAndFailsWithTheGuardsFailure() {
    mesh(guardedRoute(), Resilience4jInstances.NONE);
    RecordingGuard g = guards.get("route");
    g.refuse = true;
    FakeAdapter.Result r = call();
    assertThat(adapter.attempts).isEmpty();
    assertThat(r.failure).isSameAs(g.refusal);
    assertThat(g.ends).isEmpty();
  }

  @Test
  void theRouteGuardIsAskedFirstAndHearsARefusalByTheClusterGuardAsNotCounted() {
    mesh(guardedRoute(), Resilience4jInstances.circuitBreaker("cluster"));
    call();
    assertThat(order).containsExactly("admit route", "admit cluster", "end cluster", "end route");
    order.clear();

    guards.get("cluster").refuse = true;
    FakeAdapter.Result r = call();
    assertThat(r.failure).isSameAs(guards.get("cluster").refusal);
    assertThat(adapter.attempts).hasSize(1);
    assertThat(order).containsExactly("admit route", "admit cluster", "end route");
    assertThat(guards.get("route").ends)
        .containsExactly(CallGuard.Verdict.SUCCESS, CallGuard.Verdict.NOT_COUNTED);
  }

  @Test
  void aCallerCancellationIsNotCounted() {
    mesh(guardedRoute(), Resilience4jInstances.NONE);
    adapter.answerAll(FakeAdapter.HANG);
    FakeAdapter.Result r = new FakeAdapter.Result();
    mesh.call(TestRequest.to("svc"), adapter, r).cancel();
    assertThat(r.done()).isTrue();
    assertThat(guards.get("route").ends).containsExactly(CallGuard.Verdict.NOT_COUNTED);
  }

  @Test
  void aCallTheRoutesOwnRateLimitRefusesNeverReachesTheGuard() {
    mesh(
        guardedRoute().rateLimit(new LocalRateLimit(1, 1, Duration.ofHours(1))),
        Resilience4jInstances.NONE);
    call();
    FakeAdapter.Result r = call();
    assertThat(r.failure.reason()).isEqualTo(MeshException.Reason.RATE_LIMITED);
    assertThat(guards.get("route").admitted).isEqualTo(1);
  }

  @Test
  void aGuardThatThrowsFailsTheCallWhenAdmittingAndIsIgnoredWhenTold() {
    mesh(guardedRoute(), Resilience4jInstances.NONE);
    RecordingGuard g = guards.get("route");
    g.throwOnEnd = true;
    assertThat(call().completed).isNotNull();
    g.throwOnAdmit = true;
    FakeAdapter.Result r = call();
    assertThat(r.failure.reason()).isEqualTo(MeshException.Reason.INTERNAL_ERROR);
    assertThat(adapter.attempts).hasSize(1);
  }

  @Test
  void namesTheFactoryCannotResolveRejectTheConfigurationWhole() {
    CallGuardFactory strict =
        (owner, names) -> {
          throw new IllegalArgumentException(owner + " names '" + names.circuitBreaker() + "'");
        };
    Supplier<Mesh> build =
        () ->
            Mesh.builder()
                .config(
                    MeshConfig.builder()
                        .cluster(
                            Cluster.builder("c")
                                .resilience4j(Resilience4jInstances.circuitBreaker("x"))
                                .build())
                        .build())
                .callGuards(strict)
                .ticker(ticker)
                .scheduler(scheduler)
                .build();
    assertThatThrownBy(build::get)
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("clusters[0].resilience4j: cluster 'c' names 'x'");
  }

  /** Records what the engine asks and tells, in one order shared by all guards of a test. */
  static final class RecordingGuard implements CallGuard {
    final String name;
    final List<String> order;
    final List<Verdict> ends = new CopyOnWriteArrayList<>();
    final MeshException refusal;
    volatile int admitted;
    volatile boolean refuse;
    volatile boolean throwOnAdmit;
    volatile boolean throwOnEnd;

    RecordingGuard(String name, List<String> order) {
      this.name = name;
      this.order = order;
      this.refusal = new MeshException(MeshException.Reason.CIRCUIT_OPEN, name + " is open");
    }

    @Override
    public MeshException tryAdmit() {
      if (throwOnAdmit) {
        throw new IllegalStateException("broken guard");
      }
      order.add("admit " + name);
      if (refuse) {
        return refusal;
      }
      admitted++;
      return null;
    }

    @Override
    public void onEnd(
        Verdict verdict, long elapsedNanos, AttemptOutcome outcome, MeshException failure) {
      order.add("end " + name);
      ends.add(verdict);
      if (throwOnEnd) {
        throw new IllegalStateException("broken guard");
      }
    }
  }
}
