package dev.weft.mesh.http.testkit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.RetryOn;
import dev.weft.mesh.api.config.RetryPolicy;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.api.runtime.Randoms;
import dev.weft.mesh.core.Mesh;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every HTTP client adapter must do, proven with the real client against three WireMock
 * servers on loopback: weighted splits, a 503 retried on another endpoint (idempotent requests
 * only, with the body sent again), a route timeout, the attempt span's {@code traceparent}, the
 * mesh's meters, and URLs of other hosts left alone.
 *
 * <p>A subclass says how to make its client over a {@link Mesh} and how to send one request with
 * it. Server {@code i} answers {@code "from s<i>"}; clusters {@code a} (server 0), {@code b}
 * (server 1) and {@code all} (servers 0 and 1) back the service {@code reviews}; server 2 is
 * outside the mesh.
 */
public abstract class HttpClientAdapterContract {

  /** One reply as the client saw it. */
  public record Reply(int status, String body) {}

  /** A client under test, made over one mesh. */
  public interface Client extends AutoCloseable {
    /**
     * Sends one request and waits for the reply; a failure is thrown as the client throws it.
     *
     * @param body the body to send, or null for none
     * @param headers headers to send
     */
    Reply send(String method, String url, String body, Map<String, String> headers)
        throws Exception;

    @Override
    default void close() throws Exception {}
  }

  /** Makes the client under test over {@code mesh}. */
  protected abstract Client connect(Mesh mesh) throws Exception;

  protected final List<WireMockServer> servers = new ArrayList<>();
  protected final MeterRegistry meters = new SimpleMeterRegistry();
  protected final InMemorySpanExporter spans = InMemorySpanExporter.create();
  protected final SdkTracerProvider tracerProvider =
      SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build();
  protected final OpenTelemetrySdk otel =
      OpenTelemetrySdk.builder()
          .setTracerProvider(tracerProvider)
          .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
          .build();
  protected Mesh mesh;
  protected Client client;

  @BeforeEach
  final void startServers() {
    for (int i = 0; i < 3; i++) {
      WireMockServer s =
          new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().containerThreads(12));
      s.start();
      s.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("from s" + i)));
      servers.add(s);
    }
  }

  @AfterEach
  final void stopAll() throws Exception {
    try {
      if (client != null) {
        client.close();
      }
    } finally {
      if (mesh != null) {
        mesh.close();
      }
      servers.forEach(WireMockServer::stop);
      tracerProvider.close();
    }
  }

  /** The mesh's configuration for {@code routes} of the service {@code reviews}. */
  protected MeshConfig config(Route... routes) {
    return MeshConfig.builder()
        .cluster(Cluster.builder("a").endpoints(endpoint(0)).build())
        .cluster(Cluster.builder("b").endpoints(endpoint(1)).build())
        .cluster(Cluster.builder("all").endpoints(endpoint(0), endpoint(1)).build())
        .service(new Service("reviews", List.of(routes)))
        .build();
  }

  /** Builds the mesh for {@code routes} and connects the client under test. */
  protected void meshWith(Route... routes) throws Exception {
    mesh =
        Mesh.builder()
            .random(Randoms.seeded(18))
            .meterRegistry(meters)
            .openTelemetry(otel)
            .config(config(routes))
            .build();
    client = connect(mesh);
  }

  protected Endpoint endpoint(int i) {
    return Endpoint.builder("127.0.0.1", servers.get(i).port()).build();
  }

  protected Reply get(String url) throws Exception {
    return client.send("GET", url, null, Map.of());
  }

  private static RetryPolicy retryGatewayErrors() {
    return RetryPolicy.builder()
        .maxAttempts(2)
        .retryOn(RetryOn.GATEWAY_ERROR)
        .initialBackoff(Duration.ofMillis(1))
        .maxBackoff(Duration.ofMillis(2))
        .build();
  }

  @Test
  void anEightyTwentySplitHoldsWithinThreePointsOverTwoThousandCalls() throws Exception {
    meshWith(
        Route.builder("split")
            .destinations(Destination.of("a", "", 80), Destination.of("b", "", 20))
            .build());
    int n = 2000;
    int toA = 0;
    for (int i = 0; i < n; i++) {
      Reply r = get("http://reviews/reviews/" + i);
      assertThat(r.status()).isEqualTo(200);
      if (r.body().equals("from s0")) {
        toA++;
      } else {
        assertThat(r.body()).isEqualTo("from s1");
      }
    }
    assertThat(100.0 * toA / n).isBetween(77.0, 83.0);
    assertThat(servers.get(0).getAllServeEvents()).hasSize(toA);
    assertThat(servers.get(1).getAllServeEvents()).hasSize(n - toA);
    // the mesh's meters count every call, as for its own client
    assertThat(
            meters.get("weft.client.calls").tag("service", "reviews").timers().stream()
                .mapToLong(io.micrometer.core.instrument.Timer::count)
                .sum())
        .isEqualTo(n);
  }

  @Test
  void a503IsRetriedOnTheOtherEndpointAndAPutSendsItsBodyAgain() throws Exception {
    servers.get(0).stubFor(any(anyUrl()).willReturn(aResponse().withStatus(503)));
    meshWith(
        Route.builder("r").destinations(Destination.of("all")).retry(retryGatewayErrors()).build());
    for (int i = 0; i < 40; i++) {
      Reply r = get("http://reviews/x");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("from s1");
    }
    assertThat(servers.get(0).getAllServeEvents()).isNotEmpty();
    for (int i = 0; i < 20; i++) {
      Reply put =
          client.send(
              "PUT",
              "http://reviews/q",
              "{\"rating\":5}",
              Map.of("content-type", "application/json"));
      assertThat(put.status()).isEqualTo(200);
    }
    List<LoggedRequest> puts = new ArrayList<>(servers.get(1).findAll(putRequestedFor(anyUrl())));
    assertThat(puts).hasSize(20);
    assertThat(servers.get(0).findAll(putRequestedFor(anyUrl()))).isNotEmpty();
    assertThat(puts)
        .allSatisfy(
            r -> {
              assertThat(r.getBodyAsString()).isEqualTo("{\"rating\":5}");
              assertThat(r.getHeader("content-type")).startsWith("application/json");
            });
  }

  @Test
  void aPostIsNotRetried() throws Exception {
    servers.get(0).stubFor(any(anyUrl()).willReturn(aResponse().withStatus(503)));
    meshWith(
        Route.builder("r").destinations(Destination.of("all")).retry(retryGatewayErrors()).build());
    int unavailable = 0;
    int n = 20;
    for (int i = 0; i < n; i++) {
      Reply r = client.send("POST", "http://reviews/p", "{\"a\":" + i + "}", Map.of());
      if (r.status() == 503) {
        unavailable++;
      } else {
        assertThat(r.status()).isEqualTo(200);
      }
    }
    assertThat(unavailable).isPositive();
    int posts =
        servers.get(0).findAll(postRequestedFor(anyUrl())).size()
            + servers.get(1).findAll(postRequestedFor(anyUrl())).size();
    assertThat(posts).isEqualTo(n);
    assertThat(servers.get(0).findAll(postRequestedFor(anyUrl()))).hasSize(unavailable);
  }

  @Test
  void theRouteTimeoutEndsACallToASlowServer() throws Exception {
    servers
        .get(0)
        .stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withFixedDelay(5000)));
    meshWith(
        Route.builder("r")
            .destinations(Destination.of("a"))
            .timeout(Duration.ofMillis(300))
            .build());
    long start = System.nanoTime();
    assertThatThrownBy(() -> get("http://reviews/slow")).isInstanceOf(Exception.class);
    long millis = (System.nanoTime() - start) / 1_000_000;
    // ended by the route's 300 ms, long before the server's 5 s answer
    assertThat(millis).isLessThan(4000);
    assertThat(servers.get(0).getAllServeEvents()).hasSize(1);
  }

  @Test
  void theServerSeesTheTraceparentOfTheClientsAttemptSpan() throws Exception {
    meshWith(Route.builder("r").destinations(Destination.of("a")).build());
    Span parent = otel.getTracer("test").spanBuilder("caller").startSpan();
    try (Scope ignored = parent.makeCurrent()) {
      assertThat(get("http://reviews/traced").status()).isEqualTo(200);
    } finally {
      parent.end();
    }
    List<LoggedRequest> seen = servers.get(0).findAll(getRequestedFor(urlEqualTo("/traced")));
    assertThat(seen).hasSize(1);
    String traceparent = seen.get(0).getHeader("traceparent");
    assertThat(traceparent).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
    String[] parts = traceparent.split("-");
    assertThat(parts[1]).isEqualTo(parent.getSpanContext().getTraceId());
    SpanData attempt =
        spans.getFinishedSpanItems().stream()
            .filter(s -> s.getSpanId().equals(parts[2]))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no finished span " + parts[2]));
    assertThat(attempt.getKind()).isEqualTo(SpanKind.CLIENT);
    assertThat(attempt.getTraceId()).isEqualTo(parent.getSpanContext().getTraceId());
    assertThat(attempt.getParentSpanId()).isNotEqualTo(parent.getSpanContext().getSpanId());
  }

  @Test
  void aUrlOfAnotherHostGoesStraightOutUntouched() throws Exception {
    meshWith(Route.builder("r").destinations(Destination.of("a")).build());
    String direct = "http://127.0.0.1:" + servers.get(2).port() + "/direct?q=1";
    Reply r = client.send("POST", direct, "plain", Map.of("x-caller", "me"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("from s2");
    List<LoggedRequest> seen = servers.get(2).findAll(postRequestedFor(urlEqualTo("/direct?q=1")));
    assertThat(seen).hasSize(1);
    assertThat(seen.get(0).getBodyAsString()).isEqualTo("plain");
    assertThat(seen.get(0).getHeader("x-caller")).isEqualTo("me");
    assertThat(seen.get(0).containsHeader("traceparent")).isFalse();
    assertThat(meters.find("weft.client.calls").timers()).isEmpty();
    assertThat(spans.getFinishedSpanItems()).isEmpty();
    assertThat(servers.get(0).getAllServeEvents()).isEmpty();
  }
}
