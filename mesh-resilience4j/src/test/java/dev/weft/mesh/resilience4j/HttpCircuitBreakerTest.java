package dev.weft.mesh.resilience4j;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.config.file.MeshConfigYaml;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.http.MeshHttpClient;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A circuit breaker that a route names in the YAML guards calls through {@link MeshHttpClient} to a
 * WireMock backend: it opens at its failure-rate threshold, answers with its own exception inside a
 * mesh failure, half-opens after its wait (on an injected clock) and closes on success, with its
 * meters in the registry.
 */
class HttpCircuitBreakerTest {
  private final MutableClock clock = new MutableClock();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private WireMockServer server;
  private CircuitBreakerRegistry breakers;
  private Mesh mesh;
  private MeshHttpClient client;

  @BeforeEach
  void start() {
    server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    server.start();
    answer(503);
    breakers =
        CircuitBreakerRegistry.of(
            CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(4)
                .minimumNumberOfCalls(4)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(30))
                .permittedNumberOfCallsInHalfOpenState(2)
                .clock(clock)
                .build());
    breakers.circuitBreaker("reviews");
    String yaml =
        """
        services:
          reviews:
            routes:
              - name: main
                destinations: [{cluster: reviews}]
                retry: {maxAttempts: 3, retryOn: [5xx]}
                resilience4j: {circuitBreaker: reviews}
        clusters:
          reviews:
            endpoints: [{address: "127.0.0.1:%d"}]
        """
            .formatted(server.port());
    mesh =
        Mesh.builder()
            .config(MeshConfigYaml.read(yaml.getBytes(StandardCharsets.UTF_8), "mesh.yaml"))
            .callGuards(
                Resilience4jCallGuards.builder()
                    .circuitBreakerRegistry(breakers)
                    .meterRegistry(meters)
                    .build())
            .build();
    client = MeshHttpClient.builder(mesh).build();
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (mesh != null) {
      mesh.close();
    }
    server.stop();
  }

  private void answer(int status) {
    server.resetAll();
    server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(status).withBody("s" + status)));
  }

  private HttpResponse<String> get() throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://reviews/reviews/1")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private int requestsServed() {
    return server.findAll(anyRequestedFor(anyUrl())).size();
  }

  @Test
  void opensAtItsFailureRateAnswersWithItsOwnExceptionHalfOpensAndClosesAgain() throws Exception {
    CircuitBreaker breaker = breakers.circuitBreaker("reviews");

    // Each call is one outcome for the breaker, its retries included: four failed calls fill the
    // window of four and open it.
    for (int i = 0; i < 4; i++) {
      assertThat(get().statusCode()).isEqualTo(503);
      assertThat(breaker.getState())
          .isEqualTo(i < 3 ? CircuitBreaker.State.CLOSED : CircuitBreaker.State.OPEN);
    }
    assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isEqualTo(4);
    assertThat(requestsServed()).isEqualTo(12); // 4 calls of 3 attempts each

    // Open: refused before any attempt, with the breaker's exception inside a mesh failure.
    assertThatThrownBy(this::get)
        .isInstanceOfSatisfying(
            MeshException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(MeshException.Reason.CIRCUIT_OPEN);
              assertThat(e.getCause()).isInstanceOf(CallNotPermittedException.class);
              assertThat(e.getMessage())
                  .contains("route 'main' of service 'reviews'")
                  .contains("CircuitBreaker 'reviews' is OPEN");
            });
    assertThat(requestsServed()).isEqualTo(12);
    assertThat(breaker.getMetrics().getNumberOfNotPermittedCalls()).isEqualTo(1);
    assertThat(
            meters
                .get("resilience4j.circuitbreaker.state")
                .tag("name", "reviews")
                .tag("state", "open")
                .gauge()
                .value())
        .isEqualTo(1.0);

    // Still open just before its wait ends.
    clock.advance(Duration.ofSeconds(29));
    assertThatThrownBy(this::get).isInstanceOf(MeshException.class);

    // After the wait the breaker half-opens and lets calls through; two successes close it.
    clock.advance(Duration.ofSeconds(2));
    answer(200);
    assertThat(get().statusCode()).isEqualTo(200);
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    assertThat(get().statusCode()).isEqualTo(200);
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);

    // Resilience4j's own meters, bound to the registry.
    assertThat(
            meters
                .get("resilience4j.circuitbreaker.state")
                .tag("name", "reviews")
                .tag("state", "closed")
                .gauge()
                .value())
        .isEqualTo(1.0);
    assertThat(
            meters
                .get("resilience4j.circuitbreaker.not.permitted.calls")
                .tag("name", "reviews")
                .counter()
                .count())
        .isEqualTo(2.0);
    assertThat(
            meters
                .get("resilience4j.circuitbreaker.calls")
                .tag("name", "reviews")
                .tag("kind", "failed")
                .timer()
                .count())
        .isEqualTo(4);
    assertThat(
            meters
                .get("resilience4j.circuitbreaker.calls")
                .tag("name", "reviews")
                .tag("kind", "successful")
                .timer()
                .count())
        .isEqualTo(2);
  }

  @Test
  void clientErrorsAreNotFailures() throws Exception {
    CircuitBreaker breaker = breakers.circuitBreaker("reviews");
    answer(404);
    for (int i = 0; i < 8; i++) {
      assertThat(get().statusCode()).isEqualTo(404);
    }
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isZero();
    assertThat(breaker.getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(4); // the window
  }

  @Test
  void aCallHealedByARetryIsASuccess() throws Exception {
    CircuitBreaker breaker = breakers.circuitBreaker("reviews");
    // The first attempt fails, the retry succeeds: the caller sees a success, and so does the
    // breaker.
    server.resetAll();
    server.stubFor(
        any(anyUrl())
            .inScenario("flaky")
            .whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED)
            .willReturn(aResponse().withStatus(503))
            .willSetStateTo("healed"));
    server.stubFor(
        any(anyUrl())
            .inScenario("flaky")
            .whenScenarioStateIs("healed")
            .willReturn(aResponse().withStatus(200)));
    assertThat(get().statusCode()).isEqualTo(200);
    assertThat(requestsServed()).isEqualTo(2);
    assertThat(breaker.getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(1);
    assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isZero();
  }
}
