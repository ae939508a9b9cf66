package dev.weft.mesh.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.HealthStatus;
import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.OutlierDetection;
import dev.weft.mesh.api.config.RetryBudget;
import dev.weft.mesh.api.config.RetryOn;
import dev.weft.mesh.api.config.RetryPolicy;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.api.runtime.Randoms;
import dev.weft.mesh.core.spi.AttemptOutcome;
import dev.weft.mesh.testing.FakeScheduler;
import dev.weft.mesh.testing.FakeTicker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MeshTelemetryTest {
  private final FakeTicker ticker = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private final FakeAdapter adapter = new FakeAdapter();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final SdkTracerProvider tracerProvider =
      SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build();
  private Mesh mesh;

  @AfterEach
  void close() {
    if (mesh != null) {
      mesh.close();
    }
    tracerProvider.close();
  }

  private static MeshConfig config(RetryBudget budget) {
    return MeshConfig.builder()
        .cluster(
            Cluster.builder("c")
                .endpoints(Endpoint.of("127.0.0.1", 1), Endpoint.of("127.0.0.1", 2))
                .retryBudget(budget)
                .build())
        .service(
            Service.of(
                "svc",
                Route.builder("r")
                    .destinations(Destination.of("c"))
                    .retry(RetryPolicy.builder().maxAttempts(2).retryOn(RetryOn.FIVE_XX).build())
                    .build()))
        .build();
  }

  private FakeAdapter.Result call() {
    FakeAdapter.Result r = new FakeAdapter.Result();
    mesh.call(TestRequest.to("svc"), adapter, r);
    scheduler.advance(Duration.ofSeconds(1));
    return r;
  }

  @Test
  void anOutlierEjectionCountsInWeftClusterEjections() {
    MeshConfig cfg =
        MeshConfig.builder()
            .cluster(
                Cluster.builder("c")
                    .endpoints(Endpoint.of("127.0.0.1", 1), Endpoint.of("127.0.0.1", 2))
                    .loadBalancing(LoadBalancing.of(LoadBalancing.ROUND_ROBIN))
                    .outlierDetection(
                        OutlierDetection.builder()
                            .consecutiveFailures(3)
                            .maxEjectionPercent(50)
                            .build())
                    .build())
            .service(
                Service.of("svc", Route.builder("r").destinations(Destination.of("c")).build()))
            .build();
    mesh =
        Mesh.builder()
            .config(cfg)
            .ticker(ticker)
            .scheduler(scheduler)
            .random(Randoms.seeded(1))
            .meterRegistry(registry)
            .build();
    adapter.answer("127.0.0.1:1", s -> AttemptOutcome.http(503));
    for (int i = 0; i < 12; i++) {
      call();
    }
    assertThat(adapter.attempts.stream().filter(a -> a.address.equals("127.0.0.1:1")).count())
        .as("attempts on the failing endpoint before its ejection")
        .isEqualTo(3);
    assertThat(registry.get("weft.cluster.ejections").tag("cluster", "c").counter().count())
        .isEqualTo(1);
  }

  @Test
  void aRetriedCallIsOneCallSpanWithTwoAttemptSpansAndCountsAsOneRetry() {
    mesh =
        Mesh.builder()
            .config(config(RetryBudget.DEFAULT))
            .ticker(ticker)
            .scheduler(scheduler)
            .random(Randoms.seeded(1))
            .meterRegistry(registry)
            .openTelemetry(OpenTelemetrySdk.builder().setTracerProvider(tracerProvider).build())
            .build();
    adapter.answerAll(s -> s.number == 0 ? AttemptOutcome.http(503) : AttemptOutcome.http(200));
    assertThat(call().completed.number).isEqualTo(1);

    assertThat(
            registry
                .get("weft.client.retries")
                .tag("service", "svc")
                .tag("cluster", "c")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(
            registry
                .get("weft.client.calls")
                .tag("status", "2xx")
                .tag("outcome", "success")
                .tag("route", "r")
                .timer()
                .count())
        .isEqualTo(1);
    assertThat(registry.get("weft.client.attempts").tag("status", "5xx").counter().count())
        .isEqualTo(1);
    assertThat(registry.get("weft.client.attempts").tag("status", "2xx").counter().count())
        .isEqualTo(1);
    assertThat(registry.get("weft.config.updates").tag("result", "accepted").counter().count())
        .isEqualTo(1);

    List<SpanData> finished = spans.getFinishedSpanItems();
    SpanData callSpan =
        finished.stream().filter(s -> s.getKind() == SpanKind.INTERNAL).findFirst().orElseThrow();
    List<SpanData> attempts =
        finished.stream().filter(s -> s.getKind() == SpanKind.CLIENT).toList();
    assertThat(attempts).hasSize(2);
    assertThat(attempts)
        .allSatisfy(
            a -> {
              assertThat(a.getTraceId()).isEqualTo(callSpan.getTraceId());
              assertThat(a.getParentSpanId()).isEqualTo(callSpan.getSpanId());
            });
    assertThat(attempts)
        .extracting(a -> a.getAttributes().get(Telemetry.ATTR_ATTEMPT))
        .containsExactlyInAnyOrder(0L, 1L);
    assertThat(callSpan.getEvents()).extracting(e -> e.getName()).containsExactly("weft.retry");
    assertThat(callSpan.getAttributes().get(Telemetry.ATTR_ROUTE)).isEqualTo("r");
  }

  @Test
  void aSpentBudgetIsCountedAndTheLastResultReturned() {
    mesh =
        Mesh.builder()
            .config(config(new RetryBudget(0, 0, Duration.ofSeconds(10))))
            .ticker(ticker)
            .scheduler(scheduler)
            .meterRegistry(registry)
            .build();
    adapter.answerAll(s -> AttemptOutcome.http(503));
    FakeAdapter.Result r = call();
    assertThat(r.completed.outcome).isEqualTo(AttemptOutcome.http(503));
    assertThat(adapter.attempts).hasSize(1);
    assertThat(registry.get("weft.client.retry.budget.exhausted").counter().count()).isEqualTo(1);
    assertThat(registry.get("weft.client.calls").tag("outcome", "server_error").timer().count())
        .isEqualTo(1);
  }

  @Test
  void aRejectedConfigIsCounted() {
    StaticConfigSource source = new StaticConfigSource(config(RetryBudget.DEFAULT));
    mesh =
        Mesh.builder()
            .configSource(source)
            .ticker(ticker)
            .scheduler(scheduler)
            .meterRegistry(registry)
            .build();
    MeshConfig bad =
        MeshConfig.builder()
            .cluster(
                Cluster.builder("c")
                    .endpoints(Endpoint.of("127.0.0.1", 1))
                    .loadBalancing(LoadBalancing.of("no_such_policy"))
                    .build())
            .build();
    assertThatThrownBy(() -> source.update(bad)).hasMessageContaining("no_such_policy");
    assertThat(registry.get("weft.config.updates").tag("result", "rejected").counter().count())
        .isEqualTo(1);
  }

  @Test
  void withoutARegistryOrTracerNothingIsRecordedAndCallsWork() {
    mesh =
        Mesh.builder()
            .config(config(RetryBudget.DEFAULT))
            .ticker(ticker)
            .scheduler(scheduler)
            .build();
    assertThat(call().completed.outcome).isEqualTo(AttemptOutcome.http(200));
    assertThat(registry.getMeters()).isEmpty();
    assertThat(spans.getFinishedSpanItems()).isEmpty();
  }

  @Test
  void aCallWithNoUsableEndpointSaysWhy() {
    Endpoint down = Endpoint.builder("127.0.0.1", 9).health(HealthStatus.UNHEALTHY).build();
    mesh =
        Mesh.builder()
            .ticker(ticker)
            .scheduler(scheduler)
            .config(
                MeshConfig.builder()
                    .cluster(Cluster.builder("empty").build())
                    .cluster(
                        Cluster.builder("sick")
                            .endpoints(down)
                            .loadBalancing(LoadBalancing.DEFAULT.withPanicThresholdPercent(0))
                            .build())
                    .build())
            .build();
    FakeAdapter.Result none = new FakeAdapter.Result();
    mesh.call(TestRequest.to("empty"), adapter, none);
    assertThat(none.failure.reason()).isEqualTo(MeshException.Reason.NO_ENDPOINTS);
    assertThat(none.failure.getMessage()).contains("cluster 'empty'");
    FakeAdapter.Result sick = new FakeAdapter.Result();
    mesh.call(TestRequest.to("sick"), adapter, sick);
    assertThat(sick.failure.reason()).isEqualTo(MeshException.Reason.ALL_UNHEALTHY);
    assertThat(adapter.attempts).isEmpty();
  }
}
