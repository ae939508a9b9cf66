package dev.weft.mesh.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.weft.mesh.api.config.CanaryPolicy;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.api.runtime.Randoms;
import dev.weft.mesh.core.CanaryEvent;
import dev.weft.mesh.core.CanaryStatus;
import dev.weft.mesh.core.Mesh;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The canary guard end to end: a {@link MeshHttpClient} sends real requests to two WireMock
 * servers, the canary starts failing every fifth request, and the guard takes its traffic away.
 */
class CanaryGuardHttpTest {
  private final EveryFifthFails faults = new EveryFifthFails();
  private final WireMockServer stable = server("stable");
  private final WireMockServer canary = server("canary", faults);
  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private Mesh mesh;
  private MeshHttpClient client;
  private long nextAt = System.nanoTime();

  private static WireMockServer server(String name, EveryFifthFails... extensions) {
    WireMockServer s =
        new WireMockServer(
            options()
                .bindAddress("127.0.0.1")
                .dynamicPort()
                .containerThreads(10)
                .extensions(extensions));
    s.start();
    s.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withHeader("x-server", name)));
    return s;
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (mesh != null) {
      mesh.close();
    }
    stable.stop();
    canary.stop();
  }

  @Test
  void aFailingCanaryIsTakenOutOfTheSplitAndTheRollbackIsOnTheNextSpan() throws Exception {
    OpenTelemetrySdk otel =
        OpenTelemetrySdk.builder()
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(spans))
                    .build())
            .build();
    mesh =
        Mesh.builder()
            .random(Randoms.seeded(3))
            .openTelemetry(otel)
            .config(
                MeshConfig.builder()
                    .cluster(
                        Cluster.builder("stable")
                            .endpoints(Endpoint.of("127.0.0.1", stable.port()))
                            .build())
                    .cluster(
                        Cluster.builder("canary")
                            .endpoints(Endpoint.of("127.0.0.1", canary.port()))
                            .build())
                    .service(
                        Service.of(
                            "reviews",
                            Route.builder("all")
                                .destinations(
                                    Destination.of("stable", "", 80),
                                    Destination.of("canary", "", 20))
                                .canary(
                                    CanaryPolicy.builder("stable", "canary")
                                        .interval(Duration.ofMillis(200))
                                        .window(Duration.ofSeconds(60))
                                        .minCalls(50)
                                        .maxLatencyRatio(0)
                                        .build())
                                .build()))
                    .build())
            .build();
    client = MeshHttpClient.builder(mesh).build();

    // Healthy: both serve, and the guard judges the canary fine.
    int toCanary = 0;
    for (int i = 0; i < 600; i++) {
      toCanary += get().headers().firstValue("x-server").orElse("").equals("canary") ? 1 : 0;
    }
    assertThat(toCanary).isBetween(60, 180);
    assertThat(status().state()).isIn(CanaryStatus.State.HEALTHY, CanaryStatus.State.WARMING_UP);

    // The canary starts failing every fifth request; calls go on until the guard steps in.
    faults.failing.set(true);
    int failed = 0;
    int sent = 0;
    while (status().state() != CanaryStatus.State.ROLLED_BACK && sent < 20_000) {
      failed += get().statusCode() >= 500 ? 1 : 0;
      sent++;
    }
    assertThat(status().state()).isEqualTo(CanaryStatus.State.ROLLED_BACK);
    System.out.printf(
        "over HTTP: %d of %d user requests failed before the rollback%n", failed, sent);
    assertThat(failed).as("user requests that failed before the rollback").isLessThan(50);
    CanaryEvent rollback = status().history().get(status().history().size() - 1);
    assertThat(rollback.kind()).isEqualTo(CanaryEvent.Kind.ROLLED_BACK);
    assertThat(rollback.canaryPercentBefore()).isEqualTo(20);
    assertThat(rollback.evidence().canaryFailures()).isPositive();

    // Afterwards every request goes to the stable server, and one span tells of the rollback.
    int canaryRequestsBefore = canary.getAllServeEvents().size();
    for (int i = 0; i < 200; i++) {
      assertThat(get().headers().firstValue("x-server")).hasValue("stable");
    }
    assertThat(canary.getAllServeEvents()).hasSize(canaryRequestsBefore);
    List<EventData> events =
        spans.getFinishedSpanItems().stream()
            .flatMap(s -> s.getEvents().stream())
            .filter(e -> e.getName().equals("weft.canary.rollback"))
            .toList();
    assertThat(events).hasSize(1);
    assertThat(events.get(0).getAttributes().asMap().toString())
        .contains("errors")
        .contains("canary");
    assertThat(mesh.configDump()).contains("\"canaries\"").contains("rolled_back");
  }

  private CanaryStatus status() {
    return mesh.canaryGuards().status("reviews", "all").orElseThrow();
  }

  /**
   * One request, at most 200 a second: the rate of the acceptance scenario, and a cap that keeps
   * the failures per evaluation interval from growing with the machine's speed (a slower machine
   * only sends fewer).
   */
  private HttpResponse<String> get() throws Exception {
    long wait = nextAt - System.nanoTime();
    if (wait > 0) {
      java.util.concurrent.locks.LockSupport.parkNanos(wait);
    }
    nextAt = Math.max(nextAt, System.nanoTime()) + 5_000_000;
    return client.send(
        HttpRequest.newBuilder(URI.create("http://reviews/reviews/1")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Once switched on, answers every fifth request with a 500. */
  static final class EveryFifthFails implements ResponseDefinitionTransformerV2 {
    final AtomicBoolean failing = new AtomicBoolean();
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public ResponseDefinition transform(ServeEvent serveEvent) {
      if (failing.get() && count.incrementAndGet() % 5 == 0) {
        return ResponseDefinitionBuilder.responseDefinition().withStatus(500).build();
      }
      return serveEvent.getResponseDefinition();
    }

    @Override
    public String getName() {
      return "every-fifth-fails";
    }
  }
}
