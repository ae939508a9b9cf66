package dev.weft.mesh.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.api.InjectedFaultException;
import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.api.UnknownServiceException;
import dev.weft.mesh.api.config.CircuitBreakers;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.FaultInjection;
import dev.weft.mesh.api.config.HeaderMatch;
import dev.weft.mesh.api.config.HealthStatus;
import dev.weft.mesh.api.config.HedgingPolicy;
import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.config.LocalRateLimit;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.MirrorPolicy;
import dev.weft.mesh.api.config.OutlierDetection;
import dev.weft.mesh.api.config.PathMatch;
import dev.weft.mesh.api.config.RetryOn;
import dev.weft.mesh.api.config.RetryPolicy;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.RouteMatch;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.api.config.Subset;
import dev.weft.mesh.api.runtime.Randoms;
import dev.weft.mesh.core.spi.AttemptOutcome;
import dev.weft.mesh.testing.FakeScheduler;
import dev.weft.mesh.testing.FakeTicker;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MeshCallTest {
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

  private Mesh mesh(MeshConfig config) {
    mesh =
        Mesh.builder()
            .config(config)
            .ticker(ticker)
            .scheduler(scheduler)
            .random(Randoms.seeded(42))
            .build();
    return mesh;
  }

  private FakeAdapter.Result call(TestRequest request) {
    FakeAdapter.Result r = new FakeAdapter.Result();
    mesh.call(request, adapter, r);
    return r;
  }

  private static Endpoint ep(int port) {
    return Endpoint.of("127.0.0.1", port);
  }

  private static Cluster cluster(String name, Endpoint... endpoints) {
    return Cluster.builder(name).endpoints(endpoints).build();
  }

  @Test
  void aNinetyTenSplitLandsWithinHalfAPointOverOneHundredThousandCalls() {
    mesh(
        MeshConfig.builder()
            .cluster(cluster("a", ep(1001)))
            .cluster(cluster("b", ep(2001)))
            .service(
                Service.of(
                    "svc",
                    Route.builder("split")
                        .destinations(Destination.of("a", "", 90), Destination.of("b", "", 10))
                        .build()))
            .build());
    int n = 100_000;
    int toA = 0;
    for (int i = 0; i < n; i++) {
      FakeAdapter.Result r = call(TestRequest.to("svc"));
      if (r.completed.address.equals("127.0.0.1:1001")) {
        toA++;
      }
    }
    double share = 100.0 * toA / n;
    assertThat(share).isBetween(89.5, 90.5);
  }

  @Test
  void anUnknownServiceFailsAtOnceNamingItAndTheKnownOnes() {
    mesh(
        MeshConfig.builder()
            .cluster(cluster("ratings", ep(1)))
            .cluster(cluster("details", ep(2)))
            .build());
    FakeAdapter.Result r = call(TestRequest.to("reviewz"));
    assertThat(r.failure).isInstanceOf(UnknownServiceException.class);
    assertThat(r.failure.getMessage()).contains("reviewz").contains("[details, ratings]");
    assertThat(adapter.attempts).isEmpty();
  }

  @Test
  void headerRoutingSendsJasonToV2AndEveryoneElseToV1() {
    Cluster reviews =
        Cluster.builder("reviews")
            .endpoints(
                Endpoint.builder("127.0.0.1", 9081).labels(Map.of("version", "v1")).build(),
                Endpoint.builder("127.0.0.1", 9082).labels(Map.of("version", "v2")).build())
            .subsets(
                new Subset("v1", Map.of("version", "v1")),
                new Subset("v2", Map.of("version", "v2")))
            .build();
    mesh(
        MeshConfig.builder()
            .cluster(reviews)
            .service(
                new Service(
                    "reviews",
                    List.of(
                        Route.builder("jason")
                            .match(
                                RouteMatch.ANY.withHeaders(HeaderMatch.exact("end-user", "jason")))
                            .destinations(Destination.of("reviews", "v2", 1))
                            .build(),
                        Route.builder("default")
                            .destinations(Destination.of("reviews", "v1", 1))
                            .build())))
            .build());
    for (int i = 0; i < 50; i++) {
      assertThat(call(TestRequest.to("reviews").header("end-user", "jason")).completed.address)
          .isEqualTo("127.0.0.1:9082");
      assertThat(call(TestRequest.to("reviews").header("end-user", "ann")).completed.address)
          .isEqualTo("127.0.0.1:9081");
      assertThat(call(TestRequest.to("reviews")).completed.address).isEqualTo("127.0.0.1:9081");
    }
  }

  @Test
  void aRetryNeverGoesToTheEndpointThatJustFailedWhileAnotherIsHealthy() {
    mesh(
        MeshConfig.builder()
            .cluster(cluster("c", ep(1), ep(2), ep(3)))
            .service(
                Service.of(
                    "svc",
                    Route.builder("r")
                        .destinations(Destination.of("c"))
                        .retry(
                            RetryPolicy.builder().maxAttempts(3).retryOn(RetryOn.FIVE_XX).build())
                        .build()))
            .build());
    adapter.answerAll(s -> s.number == 0 ? AttemptOutcome.http(503) : AttemptOutcome.http(200));
    for (int i = 0; i < 300; i++) {
      FakeAdapter.Result r = call(TestRequest.to("svc"));
      scheduler.advance(Duration.ofSeconds(1));
      assertThat(r.completed).isNotNull();
      assertThat(r.completed.number).isEqualTo(1);
    }
    List<FakeAdapter.Started> attempts = adapter.attempts;
    assertThat(attempts).hasSize(600);
    for (int i = 0; i < attempts.size(); i += 2) {
      assertThat(attempts.get(i + 1).address).isNotEqualTo(attempts.get(i).address);
    }
  }

  @Test
  void
      withEveryAttemptFailingTheRetryBudgetHoldsAttemptsToTwentyPercentMoreThanCallsPlusTheFloor() {
    mesh(
        MeshConfig.builder()
            .cluster(cluster("c", ep(1), ep(2), ep(3)))
            .service(
                Service.of(
                    "svc",
                    Route.builder("r")
                        .destinations(Destination.of("c"))
                        .retry(
                            RetryPolicy.builder()
                                .maxAttempts(5)
                                .retryOn(RetryOn.FIVE_XX)
                                .initialBackoff(Duration.ofMillis(1))
                                .maxBackoff(Duration.ofMillis(2))
                                .build())
                        .build()))
            .build());
    adapter.answerAll(s -> AttemptOutcome.http(503));
    int seconds = 30;
    int perSecond = 200;
    int calls = 0;
    List<FakeAdapter.Result> results = new java.util.ArrayList<>();
    for (int s = 0; s < seconds; s++) {
      for (int i = 0; i < perSecond; i++) {
        results.add(call(TestRequest.to("svc")));
        calls++;
        scheduler.advance(Duration.ofMillis(1000 / perSecond));
      }
    }
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(results).allMatch(FakeAdapter.Result::done);
    int attempts = adapter.attempts.size();
    // The budget: 20% of calls plus a floor of 10 retries a second.
    assertThat(attempts).isLessThanOrEqualTo((int) (1.2 * calls) + 10 * seconds);
    // And retries did happen: the budget limits, it does not forbid.
    assertThat(attempts).isGreaterThan(calls + calls / 10);
  }

  @Test
  void hedgingStartsAnotherAttemptAfterTheDelayAndCancelsTheLoser() {
    mesh(
        MeshConfig.builder()
            .cluster(cluster("c", ep(1), ep(2), ep(3)))
            .service(
                Service.of(
                    "svc",
                    Route.builder("r")
                        .destinations(Destination.of("c"))
                        .hedging(HedgingPolicy.fixed(3, Duration.ofMillis(50)))
                        .build()))
            .build());
    adapter.answerAll(FakeAdapter.HANG);
    FakeAdapter.Result r = call(TestRequest.to("svc"));
    assertThat(adapter.attempts).hasSize(1);
    scheduler.advance(Duration.ofMillis(49));
    assertThat(adapter.attempts).hasSize(1);
    scheduler.advance(Duration.ofMillis(1));
    assertThat(adapter.attempts).hasSize(2);
    FakeAdapter.Started first = adapter.attempts.get(0);
    FakeAdapter.Started hedge = adapter.attempts.get(1);
    assertThat(hedge.hedge).isTrue();
    assertThat(hedge.address).isNotEqualTo(first.address);
    hedge.complete(AttemptOutcome.http(200));
    assertThat(r.completed).isSameAs(hedge);
    assertThat(first.cancelled).isTrue();
    assertThat(adapter.discarded).contains(first);
    // No third attempt after the call is over.
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(adapter.attempts).hasSize(2);
    assertThat(r.ends).isEqualTo(1);
  }

  @Test
  void noAttemptStartsAfterTheDeadlineAndNoneIsGivenMoreTimeThanIsLeft() {
    mesh(
        MeshConfig.builder()
            .cluster(cluster("c", ep(1), ep(2), ep(3)))
            .service(
                Service.of(
                    "svc",
                    Route.builder("r")
                        .destinations(Destination.of("c"))
                        .timeout(Duration.ofMillis(100))
                        .retry(
                            RetryPolicy.builder()
                                .maxAttempts(10)
                                .perTryTimeout(Duration.ofMillis(40))
                                .retryOn(RetryOn.RESET, RetryOn.FIVE_XX)
                                .initialBackoff(Duration.ofMillis(5))
                                .maxBackoff(Duration.ofMillis(10))
                                .build())
                        .build()))
            .build());
    Map<FakeAdapter.Started, Long> startedAt = new HashMap<>();
    // Like a real adapter: enforce the attempt's timeout with the protocol's own deadline.
    adapter.answerAll(
        s -> {
          startedAt.put(s, ticker.nanoTime());
          scheduler.schedule(() -> s.complete(AttemptOutcome.TIMEOUT), s.timeoutNanos);
          return null;
        });
    long start = ticker.nanoTime();
    FakeAdapter.Result r = call(TestRequest.to("svc").timeoutMillis(500));
    scheduler.advance(Duration.ofSeconds(2));
    assertThat(r.done()).isTrue();
    long deadline = start + Duration.ofMillis(100).toNanos();
    assertThat(adapter.attempts.size()).isGreaterThanOrEqualTo(2);
    for (FakeAdapter.Started s : adapter.attempts) {
      long at = startedAt.get(s);
      assertThat(at).isLessThan(deadline);
      assertThat(s.timeoutNanos)
          .isLessThanOrEqualTo(deadline - at)
          .isLessThanOrEqualTo(Duration.ofMillis(40).toNanos());
    }
    assertThat(r.completed.outcome).isEqualTo(AttemptOutcome.TIMEOUT);
  }

  @Test
  void consecutiveFailuresEjectAnEndpointAndCallsAvoidIt() {
    Cluster c =
        Cluster.builder("c")
            .endpoints(ep(1), ep(2), ep(3))
            .outlierDetection(
                OutlierDetection.builder()
                    .consecutiveFailures(5)
                    .maxEjectionPercent(50)
                    .baseEjectionTime(Duration.ofSeconds(30))
                    .interval(Duration.ofSeconds(1))
                    .build())
            .build();
    mesh(MeshConfig.builder().cluster(c).build());
    adapter.answer("127.0.0.1:1", s -> AttemptOutcome.http(503));
    for (int i = 0; i < 60; i++) {
      call(TestRequest.to("c"));
    }
    scheduler.runDueTasks();
    adapter.attempts.clear();
    for (int i = 0; i < 300; i++) {
      call(TestRequest.to("c"));
    }
    assertThat(adapter.attempts).extracting(s -> s.address).doesNotContain("127.0.0.1:1");
    assertThat(mesh.configDump()).contains("\"ejected\": true");
    // After the ejection time it comes back.
    scheduler.advance(Duration.ofSeconds(31));
    adapter.attempts.clear();
    adapter.answerAll(s -> AttemptOutcome.http(200));
    for (int i = 0; i < 300; i++) {
      call(TestRequest.to("c"));
    }
    assertThat(adapter.attempts).extracting(s -> s.address).contains("127.0.0.1:1");
  }

  @Test
  void trafficMovesToTheNextPriorityOnlyWhenThePrimaryLosesEnoughHealth() {
    Endpoint p0a = Endpoint.builder("127.0.0.1", 1).priority(0).build();
    Endpoint p0b = Endpoint.builder("127.0.0.1", 2).priority(0).build();
    Endpoint p0c = Endpoint.builder("127.0.0.1", 3).priority(0).build();
    Endpoint p0d = Endpoint.builder("127.0.0.1", 5).priority(0).build();
    Endpoint p1 = Endpoint.builder("127.0.0.1", 4).priority(1).build();
    Endpoint down = p0b.toBuilder().health(HealthStatus.UNHEALTHY).build();
    // One of four unhealthy: 75% healthy x 1.4 overprovisioning is over 100%, so priority 0 keeps
    // it all.
    StaticConfigSource source =
        new StaticConfigSource(
            MeshConfig.builder()
                .cluster(Cluster.builder("c").endpoints(p0a, down, p0c, p0d, p1).build())
                .build());
    mesh =
        Mesh.builder()
            .configSource(source)
            .ticker(ticker)
            .scheduler(scheduler)
            .random(Randoms.seeded(7))
            .build();
    for (int i = 0; i < 1000; i++) {
      call(TestRequest.to("c"));
    }
    assertThat(adapter.attempts)
        .extracting(s -> s.address)
        .doesNotContain("127.0.0.1:4", "127.0.0.1:2");

    // One of three unhealthy: 67% x 1.4 = 93%, so Envoy's arithmetic spills 7% to priority 1.
    source.update(
        MeshConfig.builder()
            .version("2")
            .cluster(Cluster.builder("c").endpoints(p0a, down, p0c, p1).build())
            .build());
    adapter.attempts.clear();
    for (int i = 0; i < 4000; i++) {
      call(TestRequest.to("c"));
    }
    long spilled = adapter.attempts.stream().filter(s -> s.address.equals("127.0.0.1:4")).count();
    assertThat(100.0 * spilled / 4000).isBetween(5.0, 9.0);

    // All of priority 0 unhealthy: everything moves to priority 1.
    source.update(
        MeshConfig.builder()
            .version("3")
            .cluster(
                Cluster.builder("c")
                    .endpoints(
                        p0a.toBuilder().health(HealthStatus.UNHEALTHY).build(), down,
                        p0c.toBuilder().health(HealthStatus.UNHEALTHY).build(), p1)
                    .build())
            .build());
    adapter.attempts.clear();
    for (int i = 0; i < 1000; i++) {
      call(TestRequest.to("c"));
    }
    assertThat(adapter.attempts).extracting(s -> s.address).containsOnly("127.0.0.1:4");
  }

  @Test
  void theCircuitBreakerRefusesCallsOverTheConcurrencyLimit() {
    mesh(
        MeshConfig.builder()
            .cluster(
                Cluster.builder("c")
                    .endpoints(ep(1))
                    .circuitBreakers(new CircuitBreakers(10, 10, 2, 3))
                    .build())
            .build());
    adapter.answerAll(FakeAdapter.HANG);
    FakeAdapter.Result a = call(TestRequest.to("c"));
    FakeAdapter.Result b = call(TestRequest.to("c"));
    FakeAdapter.Result c = call(TestRequest.to("c"));
    assertThat(a.done()).isFalse();
    assertThat(b.done()).isFalse();
    assertThat(c.failure.reason()).isEqualTo(MeshException.Reason.CIRCUIT_OPEN);
    adapter.attempts.get(0).complete(AttemptOutcome.http(200));
    assertThat(call(TestRequest.to("c")).done()).isFalse();
  }

  @Test
  void theLocalRateLimitRefusesCallsBeyondTheBucket() {
    mesh(
        MeshConfig.builder()
            .cluster(cluster("c", ep(1)))
            .service(
                Service.of(
                    "svc",
                    Route.builder("r")
                        .destinations(Destination.of("c"))
                        .rateLimit(LocalRateLimit.of(5, Duration.ofSeconds(1)))
                        .build()))
            .build());
    int limited = 0;
    for (int i = 0; i < 8; i++) {
      FakeAdapter.Result r = call(TestRequest.to("svc"));
      if (r.failure != null) {
        assertThat(r.failure.reason()).isEqualTo(MeshException.Reason.RATE_LIMITED);
        limited++;
      }
    }
    assertThat(limited).isEqualTo(3);
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(call(TestRequest.to("svc")).failure).isNull();
  }

  @Test
  void faultAbortHitsTheConfiguredShareAndOnlyMatchingRequests() {
    FakeAdapter.Result sample;
    mesh(
        MeshConfig.builder()
            .cluster(cluster("ratings", ep(1)))
            .service(
                Service.of(
                    "ratings",
                    Route.builder("r")
                        .destinations(Destination.of("ratings"))
                        .fault(
                            new FaultInjection(
                                FaultInjection.Delay.NONE,
                                new FaultInjection.Abort(500, "", 50),
                                List.of(HeaderMatch.exact("end-user", "jason"))))
                        .build()))
            .build());
    int aborted = 0;
    int n = 2000;
    for (int i = 0; i < n; i++) {
      sample = call(TestRequest.to("ratings").header("end-user", "jason"));
      if (sample.failure instanceof InjectedFaultException f) {
        assertThat(f.httpStatus()).isEqualTo(500);
        aborted++;
      }
    }
    assertThat(100.0 * aborted / n).isBetween(45.0, 55.0);
    for (int i = 0; i < 200; i++) {
      assertThat(call(TestRequest.to("ratings").header("end-user", "ann")).failure).isNull();
    }
  }

  @Test
  void aFaultDelayHoldsTheCallAndTheDeadlineStillApplies() {
    mesh(
        MeshConfig.builder()
            .cluster(cluster("ratings", ep(1)))
            .service(
                Service.of(
                    "ratings",
                    Route.builder("r")
                        .destinations(Destination.of("ratings"))
                        .fault(
                            new FaultInjection(
                                new FaultInjection.Delay(Duration.ofSeconds(7), 100),
                                FaultInjection.Abort.NONE,
                                List.of()))
                        .build()))
            .build());
    FakeAdapter.Result slow = call(TestRequest.to("ratings"));
    scheduler.advance(Duration.ofMillis(6999));
    assertThat(slow.done()).isFalse();
    scheduler.advance(Duration.ofMillis(1));
    assertThat(slow.completed).isNotNull();

    FakeAdapter.Result hurried = call(TestRequest.to("ratings").timeoutMillis(500));
    scheduler.advance(Duration.ofMillis(500));
    assertThat(hurried.failure.reason()).isEqualTo(MeshException.Reason.DEADLINE_EXCEEDED);
  }

  @Test
  void mirroredCopiesGoToTheShadowAndTheirFailuresNeverReachTheCaller() {
    mesh(
        MeshConfig.builder()
            .cluster(cluster("v1", ep(1)))
            .cluster(cluster("v2", ep(2)))
            .service(
                Service.of(
                    "reviews",
                    Route.builder("r")
                        .destinations(Destination.of("v1"))
                        .mirrors(List.of(new MirrorPolicy("v2", "", 100)))
                        .build()))
            .build());
    adapter.answer("127.0.0.1:2", s -> AttemptOutcome.http(500));
    for (int i = 0; i < 20; i++) {
      FakeAdapter.Result r = call(TestRequest.to("reviews"));
      assertThat(r.completed.address).isEqualTo("127.0.0.1:1");
      assertThat(r.completed.outcome).isEqualTo(AttemptOutcome.http(200));
    }
    assertThat(adapter.attempts.stream().filter(s -> s.mirror).map(s -> s.address))
        .hasSize(20)
        .containsOnly("127.0.0.1:2");
  }

  @Test
  void anUnknownLoadBalancingPolicyRejectsTheUpdateAndKeepsTheConfigInForce() {
    StaticConfigSource source =
        new StaticConfigSource(
            MeshConfig.builder().version("1").cluster(cluster("c", ep(1))).build());
    mesh = Mesh.builder().configSource(source).ticker(ticker).scheduler(scheduler).build();
    MeshConfig bad =
        MeshConfig.builder()
            .version("2")
            .cluster(
                Cluster.builder("c")
                    .endpoints(ep(2))
                    .loadBalancing(LoadBalancing.of("least_requests"))
                    .build())
            .build();
    assertThatThrownBy(() -> source.update(bad))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("clusters[0].loadBalancing.policy")
        .hasMessageContaining("least_requests");
    assertThat(mesh.configVersion()).isEqualTo("1");
    assertThat(call(TestRequest.to("c")).completed.address).isEqualTo("127.0.0.1:1");
    assertThat(mesh.lastConfigError()).isInstanceOf(InvalidConfigException.class);
  }

  @Test
  void aRouteRegexThatIsNotRe2RejectsTheUpdateAndHostileInputMatchesInLinearTime() {
    StaticConfigSource source =
        new StaticConfigSource(
            MeshConfig.builder()
                .version("1")
                .cluster(cluster("c", ep(1)))
                .service(
                    Service.of(
                        "s",
                        Route.builder("nested")
                            .match(RouteMatch.path(PathMatch.regex("/(a+)+$")))
                            .destinations(Destination.of("c"))
                            .build()))
                .build());
    mesh = Mesh.builder().configSource(source).ticker(ticker).scheduler(scheduler).build();
    // A nested quantifier that backtracks exponentially in java.util.regex: linear in RE2. Thirty
    // thousand 'a's and a '!' would not finish for years with backtracking.
    String hostile = "/" + "a".repeat(30_000) + "!";
    assertThat(
            new RouteMatcher(RouteMatch.path(PathMatch.regex("/(a+)+$")))
                .matches(TestRequest.to("s").path(hostile)))
        .isFalse();
    MeshConfig backreference =
        MeshConfig.builder()
            .version("2")
            .cluster(cluster("c", ep(1)))
            .service(
                Service.of(
                    "s",
                    Route.builder("r")
                        .match(RouteMatch.path(PathMatch.regex("/(x)\\1")))
                        .destinations(Destination.of("c"))
                        .build()))
            .build();
    assertThatThrownBy(() -> source.update(backreference))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("services[0].routes[0].match.path.value")
        .hasMessageContaining("is not an RE2 regular expression");
    assertThat(mesh.configVersion()).isEqualTo("1");
  }

  @Test
  void theConfigDumpShowsVersionRoutesAndEndpoints() {
    mesh(
        MeshConfig.builder()
            .version("v42")
            .cluster(cluster("ratings", ep(9080)))
            .service(
                Service.of(
                    "ratings",
                    Route.builder("all").destinations(Destination.of("ratings")).build()))
            .build());
    String dump = mesh.configDump();
    assertThat(dump)
        .contains("\"version\": \"v42\"")
        .contains("\"address\": \"127.0.0.1:9080\"")
        .contains("\"name\": \"all\"")
        .contains("\"health\": \"unknown\"");
  }

  @Test
  void endpointStateCarriesOverAnUpdateThatKeepsTheAddress() {
    StaticConfigSource source =
        new StaticConfigSource(
            MeshConfig.builder().version("1").cluster(cluster("c", ep(1), ep(2))).build());
    mesh = Mesh.builder().configSource(source).ticker(ticker).scheduler(scheduler).build();
    adapter.answerAll(FakeAdapter.HANG);
    call(TestRequest.to("c"));
    source.update(
        MeshConfig.builder().version("2").cluster(cluster("c", ep(1), ep(2), ep(3))).build());
    assertThat(mesh.configDump()).contains("\"activeRequests\": 1");
    Set<String> seen = new HashSet<>();
    adapter.answerAll(s -> AttemptOutcome.http(200));
    for (int i = 0; i < 30; i++) {
      seen.add(call(TestRequest.to("c")).completed.address);
    }
    assertThat(seen).contains("127.0.0.1:3");
  }

  @Test
  void oneUpdateMayChangeOutlierDetectionAndRemoveEndpoints() {
    StaticConfigSource source =
        new StaticConfigSource(
            MeshConfig.builder()
                .version("1")
                .cluster(
                    Cluster.builder("c")
                        .endpoints(ep(1), ep(2), ep(3))
                        .outlierDetection(OutlierDetection.builder().build())
                        .build())
                .build());
    mesh = Mesh.builder().configSource(source).ticker(ticker).scheduler(scheduler).build();
    source.update(
        MeshConfig.builder()
            .version("2")
            .cluster(
                Cluster.builder("c")
                    .endpoints(ep(1))
                    .outlierDetection(OutlierDetection.builder().consecutiveFailures(3).build())
                    .build())
            .build());
    assertThat(mesh.configVersion()).isEqualTo("2");
    assertThat(call(TestRequest.to("c")).completed.address).isEqualTo("127.0.0.1:1");
  }

  @Test
  void durationsTooLongForNanosecondsSaturateInsteadOfFailing() {
    mesh(
        MeshConfig.builder()
            .cluster(
                Cluster.builder("c")
                    .endpoints(ep(1))
                    .outlierDetection(
                        OutlierDetection.builder()
                            .interval(Duration.ofDays(365L * 1000))
                            .maxEjectionTime(Duration.ofDays(365L * 1000))
                            .build())
                    .build())
            .service(
                Service.of(
                    "svc",
                    Route.builder("r")
                        .destinations(Destination.of("c"))
                        .timeout(Duration.ofDays(365L * 1000))
                        .build()))
            .build());
    assertThat(call(TestRequest.to("svc")).completed.outcome).isEqualTo(AttemptOutcome.http(200));
  }

  @Test
  void hedgesGiveBackTheirConcurrentRetryPermits() {
    mesh(
        MeshConfig.builder()
            .cluster(
                Cluster.builder("c")
                    .endpoints(ep(1), ep(2), ep(3))
                    .circuitBreakers(new CircuitBreakers(100, 100, 100, 3))
                    .build())
            .service(
                Service.of(
                    "svc",
                    Route.builder("r")
                        .destinations(Destination.of("c"))
                        .hedging(HedgingPolicy.fixed(2, Duration.ofMillis(10)))
                        .build()))
            .build());
    adapter.answerAll(FakeAdapter.HANG);
    for (int i = 0; i < 50; i++) {
      FakeAdapter.Result r = call(TestRequest.to("svc"));
      scheduler.advance(Duration.ofMillis(10));
      // The hedge wins; the first attempt is cancelled.
      FakeAdapter.Started hedge = adapter.attempts.get(adapter.attempts.size() - 1);
      assertThat(hedge.hedge).as("call %d hedged", i).isTrue();
      hedge.complete(AttemptOutcome.http(200));
      assertThat(r.completed).isSameAs(hedge);
    }
    // With a limit of 3 concurrent retries, 50 hedges could only all start if each gave its permit
    // back.
    assertThat(mesh.configDump()).contains("\"activeRetries\": 0");
  }

  @Test
  void endpointRemovalListenersHearRemovalsUntilTheyAreUnregistered() {
    StaticConfigSource source =
        new StaticConfigSource(
            MeshConfig.builder().version("1").cluster(cluster("c", ep(1), ep(2))).build());
    mesh = Mesh.builder().configSource(source).ticker(ticker).scheduler(scheduler).build();
    List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.function.Consumer<List<Mesh.EndpointRemoval>> listener =
        removals -> removals.forEach(r -> heard.add(r.cluster() + " " + r.endpoint().address()));
    mesh.addEndpointRemovalListener(listener);
    source.update(MeshConfig.builder().version("2").cluster(cluster("c", ep(1))).build());
    assertThat(heard).containsExactly("c 127.0.0.1:2");
    mesh.removeEndpointRemovalListener(listener);
    source.update(MeshConfig.builder().version("3").cluster(cluster("c", ep(3))).build());
    assertThat(heard).containsExactly("c 127.0.0.1:2");
  }
}
