package dev.weft.mesh.http;

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
import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.FaultInjection;
import dev.weft.mesh.api.config.HeaderMatch;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.RetryOn;
import dev.weft.mesh.api.config.RetryPolicy;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.RouteMatch;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.api.runtime.Randoms;
import dev.weft.mesh.core.Mesh;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MeshHttpClientTest {
  private final List<WireMockServer> servers = new ArrayList<>();
  private Mesh mesh;
  private MeshHttpClient client;

  @BeforeEach
  void startServers() {
    for (int i = 0; i < 3; i++) {
      WireMockServer s =
          new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().containerThreads(10));
      s.start();
      s.stubFor(
          any(anyUrl())
              .willReturn(
                  aResponse()
                      .withStatus(200)
                      .withHeader("x-server", "s" + i)
                      .withBody("from s" + i)));
      servers.add(s);
    }
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (mesh != null) {
      mesh.close();
    }
    servers.forEach(WireMockServer::stop);
  }

  private Endpoint endpoint(int i) {
    return Endpoint.builder("127.0.0.1", servers.get(i).port())
        .labels(Map.of("version", "v" + (i + 1)))
        .build();
  }

  private void meshWith(Route... routes) {
    mesh =
        Mesh.builder()
            .random(Randoms.seeded(11))
            .config(
                MeshConfig.builder()
                    .cluster(Cluster.builder("a").endpoints(endpoint(0)).build())
                    .cluster(Cluster.builder("b").endpoints(endpoint(1)).build())
                    .cluster(
                        Cluster.builder("all")
                            .endpoints(endpoint(0), endpoint(1), endpoint(2))
                            .build())
                    .service(new Service("reviews", List.of(routes)))
                    .build())
            .build();
    client = MeshHttpClient.builder(mesh).build();
  }

  private HttpResponse<String> get(String url, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aWeightedSplitFollowsTheRouteWeights() throws Exception {
    meshWith(
        Route.builder("split")
            .destinations(Destination.of("a", "", 75), Destination.of("b", "", 25))
            .build());
    int n = 2000;
    int toA = 0;
    for (int i = 0; i < n; i++) {
      if (get("http://reviews/reviews/1").body().equals("from s0")) {
        toA++;
      }
    }
    assertThat(100.0 * toA / n).isBetween(72.0, 78.0);
    assertThat(
            servers
                .get(0)
                .countRequestsMatching(getRequestedFor(urlEqualTo("/reviews/1")).build())
                .getCount())
        .isEqualTo(toA);
  }

  @Test
  void headerBasedRoutingSendsJasonToV2() throws Exception {
    meshWith(
        Route.builder("jason")
            .match(RouteMatch.ANY.withHeaders(HeaderMatch.exact("end-user", "jason")))
            .destinations(Destination.of("b"))
            .build(),
        Route.builder("default").destinations(Destination.of("a")).build());
    for (int i = 0; i < 20; i++) {
      assertThat(get("http://reviews/r", "end-user", "jason").body()).isEqualTo("from s1");
      assertThat(get("http://reviews/r").body()).isEqualTo("from s0");
    }
  }

  @Test
  void a503IsRetriedOnADifferentEndpoint() throws Exception {
    servers.get(0).stubFor(any(anyUrl()).willReturn(aResponse().withStatus(503)));
    meshWith(
        Route.builder("r")
            .destinations(Destination.of("all"))
            .retry(
                RetryPolicy.builder()
                    .maxAttempts(2)
                    .retryOn(RetryOn.GATEWAY_ERROR)
                    .initialBackoff(Duration.ofMillis(1))
                    .maxBackoff(Duration.ofMillis(2))
                    .build())
            .build());
    for (int i = 0; i < 60; i++) {
      HttpResponse<String> r = get("http://reviews/x");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isNotEqualTo("from s0");
    }
    // Every request that reached the failing server was retried elsewhere.
    int failed = servers.get(0).getAllServeEvents().size();
    assertThat(failed).isGreaterThan(0);
  }

  @Test
  void perTryAndOverallTimeoutsBoundTheCall() throws Exception {
    servers.forEach(
        s -> s.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withFixedDelay(2000))));
    meshWith(
        Route.builder("r")
            .destinations(Destination.of("all"))
            .timeout(Duration.ofMillis(700))
            .retry(
                RetryPolicy.builder()
                    .maxAttempts(5)
                    .perTryTimeout(Duration.ofMillis(200))
                    .retryOn(RetryOn.GATEWAY_ERROR)
                    .initialBackoff(Duration.ofMillis(1))
                    .maxBackoff(Duration.ofMillis(2))
                    .build())
            .build());
    long start = System.nanoTime();
    assertThatThrownBy(() -> get("http://reviews/slow"))
        .isInstanceOf(java.net.http.HttpTimeoutException.class);
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertThat(millis).isBetween(600L, 1500L);
    int attempts = servers.stream().mapToInt(s -> s.getAllServeEvents().size()).sum();
    assertThat(attempts).isBetween(3, 4);
  }

  @Test
  void aFiftyPercentAbortHitsAboutHalfOfTwoThousandCallsWithTheConfiguredStatus() throws Exception {
    meshWith(
        Route.builder("r")
            .destinations(Destination.of("a"))
            .fault(
                new FaultInjection(
                    FaultInjection.Delay.NONE, new FaultInjection.Abort(503, "", 50), List.of()))
            .build());
    int n = 2000;
    int aborted = 0;
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r = get("http://reviews/f");
      if (r.statusCode() == 503) {
        assertThat(r.body()).isEqualTo("fault filter abort");
        aborted++;
      } else {
        assertThat(r.statusCode()).isEqualTo(200);
      }
    }
    assertThat(100.0 * aborted / n).isBetween(45.0, 55.0);
    assertThat(servers.get(0).getAllServeEvents()).hasSize(n - aborted);
  }

  @Test
  void aPostIsNotRetriedUnlessTheRouteAllowsItAndARetriedPutSendsTheSameBody() throws Exception {
    servers.get(0).stubFor(any(anyUrl()).willReturn(aResponse().withStatus(503)));
    servers.get(1).stubFor(any(anyUrl()).willReturn(aResponse().withStatus(503)));
    servers.get(2).stubFor(any(anyUrl()).willReturn(aResponse().withStatus(503)));
    meshWith(
        Route.builder("r")
            .destinations(Destination.of("all"))
            .retry(
                RetryPolicy.builder()
                    .maxAttempts(3)
                    .retryOn(RetryOn.FIVE_XX)
                    .initialBackoff(Duration.ofMillis(1))
                    .maxBackoff(Duration.ofMillis(2))
                    .build())
            .build());
    HttpResponse<String> post =
        client.send(
            HttpRequest.newBuilder(URI.create("http://reviews/p"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(503);
    assertThat(servers.stream().mapToInt(s -> s.findAll(postRequestedFor(anyUrl())).size()).sum())
        .isEqualTo(1);

    HttpResponse<String> put =
        client.send(
            HttpRequest.newBuilder(URI.create("http://reviews/q"))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"rating\":5}"))
                .header("content-type", "application/json")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).isEqualTo(503);
    List<LoggedRequest> puts = new ArrayList<>();
    servers.forEach(s -> puts.addAll(s.findAll(putRequestedFor(anyUrl()))));
    assertThat(puts).hasSize(3);
    assertThat(puts)
        .allSatisfy(
            r -> {
              assertThat(r.getBodyAsString()).isEqualTo("{\"rating\":5}");
              assertThat(r.getHeader("content-type")).isEqualTo("application/json");
            });
  }

  @Test
  void anUnknownServiceIsATypedErrorNamingIt() {
    meshWith(Route.builder("r").destinations(Destination.of("a")).build());
    assertThatThrownBy(() -> get("http://reveiws/x"))
        .isInstanceOf(MeshException.class)
        .hasMessageContaining("reveiws")
        .hasMessageContaining("reviews");
  }

  @Test
  void theServerSeesATraceparentWhoseTraceIdMatchesTheClientSpan() throws Exception {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    SdkTracerProvider tracerProvider =
        SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
    OpenTelemetrySdk otel =
        OpenTelemetrySdk.builder()
            .setTracerProvider(tracerProvider)
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build();
    mesh =
        Mesh.builder()
            .openTelemetry(otel)
            .config(
                MeshConfig.builder()
                    .cluster(Cluster.builder("reviews").endpoints(endpoint(0)).build())
                    .build())
            .build();
    client = MeshHttpClient.builder(mesh).build();
    Span parent = otel.getTracer("test").spanBuilder("caller").startSpan();
    try (Scope ignored = parent.makeCurrent()) {
      assertThat(get("http://reviews/traced").statusCode()).isEqualTo(200);
    } finally {
      parent.end();
    }
    LoggedRequest seen = servers.get(0).findAll(getRequestedFor(urlEqualTo("/traced"))).get(0);
    String traceparent = seen.getHeader("traceparent");
    assertThat(traceparent).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
    String traceId = traceparent.split("-")[1];
    String spanId = traceparent.split("-")[2];
    assertThat(traceId).isEqualTo(parent.getSpanContext().getTraceId());
    List<SpanData> spans = exporter.getFinishedSpanItems();
    SpanData attempt =
        spans.stream().filter(s -> s.getSpanId().equals(spanId)).findFirst().orElseThrow();
    assertThat(attempt.getKind()).isEqualTo(io.opentelemetry.api.trace.SpanKind.CLIENT);
    assertThat(attempt.getTraceId()).isEqualTo(traceId);
    tracerProvider.close();
  }

  @Test
  void theHostMustNameAService() throws Exception {
    meshWith(Route.builder("r").destinations(Destination.of("a")).build());
    assertThatThrownBy(
            () ->
                client.sendAsync(
                    HttpRequest.newBuilder(URI.create("http:///nohost")).build(),
                    HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(servers.get(0).getAllServeEvents()).isEmpty();
    assertThat(get("http://reviews/ok").statusCode()).isEqualTo(200);
    servers.get(0).verify(1, getRequestedFor(urlEqualTo("/ok")));
  }
}
