package dev.weft.mesh.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.weft.mesh.api.client.Body;
import dev.weft.mesh.api.client.Get;
import dev.weft.mesh.api.client.Idempotent;
import dev.weft.mesh.api.client.MeshClient;
import dev.weft.mesh.api.client.Post;
import dev.weft.mesh.api.client.Timeout;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.MirrorPolicy;
import dev.weft.mesh.api.config.RetryOn;
import dev.weft.mesh.api.config.RetryPolicy;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.core.Mesh;
import java.io.UncheckedIOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Per-method overrides on annotated clients, and mirroring over HTTP. */
class MethodOverridesTest {

  @MeshClient("search")
  interface Search {
    @Post("/query")
    @Idempotent
    String query(@Body String q);

    @Post("/orders")
    String order(@Body String order);

    @Get("/slow")
    @Timeout(value = 300, unit = ChronoUnit.MILLIS)
    String slow();
  }

  private WireMockServer primary;
  private WireMockServer shadow;
  private Mesh mesh;
  private MeshHttpClient http;

  @BeforeEach
  void start() {
    primary = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    shadow = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    primary.start();
    shadow.start();
    shadow.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(500)));
    mesh =
        Mesh.builder()
            .config(
                MeshConfig.builder()
                    .cluster(
                        Cluster.builder("search")
                            .endpoints(Endpoint.of("127.0.0.1", primary.port()))
                            .build())
                    .cluster(
                        Cluster.builder("shadow")
                            .endpoints(Endpoint.of("127.0.0.1", shadow.port()))
                            .build())
                    .service(
                        Service.of(
                            "search",
                            Route.builder("r")
                                .destinations(Destination.of("search"))
                                .retry(
                                    RetryPolicy.builder()
                                        .maxAttempts(3)
                                        .retryOn(RetryOn.FIVE_XX)
                                        .initialBackoff(Duration.ofMillis(1))
                                        .maxBackoff(Duration.ofMillis(2))
                                        .build())
                                .mirrors(List.of(new MirrorPolicy("shadow", "", 100)))
                                .build()))
                    .build())
            .build();
    http = MeshHttpClient.builder(mesh).build();
  }

  @AfterEach
  void stop() {
    http.close();
    mesh.close();
    primary.stop();
    shadow.stop();
  }

  @Test
  void anIdempotentPostIsRetriedAndAPlainPostIsNot() {
    primary.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(503)));
    Search search = http.client(Search.class);
    assertThatThrownBy(() -> search.query("books")).isInstanceOf(MeshHttpStatusException.class);
    assertThat(
            primary.findAll(
                postRequestedFor(
                    com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/query"))))
        .hasSize(3);
    assertThatThrownBy(() -> search.order("one")).isInstanceOf(MeshHttpStatusException.class);
    assertThat(
            primary.findAll(
                postRequestedFor(
                    com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/orders"))))
        .hasSize(1);
  }

  @Test
  void aMethodTimeoutBoundsTheCall() {
    primary.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withFixedDelay(3000)));
    Search search = http.client(Search.class);
    long start = System.nanoTime();
    assertThatThrownBy(search::slow)
        .isInstanceOf(UncheckedIOException.class)
        .hasCauseInstanceOf(HttpTimeoutException.class);
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2500);
  }

  @Test
  void mirroredCopiesReachTheShadowAndItsFailuresNeverReachTheCaller() {
    primary.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("found")));
    Search search = http.client(Search.class);
    for (int i = 0; i < 10; i++) {
      assertThat(search.query("q" + i)).isEqualTo("found");
    }
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(shadow.getAllServeEvents()).hasSize(10));
    assertThat(shadow.getAllServeEvents())
        .allSatisfy(e -> assertThat(e.getRequest().getBodyAsString()).startsWith("q"));
  }
}
