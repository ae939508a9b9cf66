package dev.weft.mesh.resilience4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.config.file.MeshConfigYaml;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.http.MeshHttpClient;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A bulkhead and a rate limiter named from the YAML, over {@link MeshHttpClient} to a JDK server
 * that holds requests until the test lets them go.
 */
class BulkheadAndRateLimiterTest {
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final AtomicInteger received = new AtomicInteger();
  private volatile CountDownLatch release = new CountDownLatch(0);
  private HttpServer server;
  private Mesh mesh;
  private MeshHttpClient client;

  @BeforeEach
  void startServer() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext(
        "/",
        exchange -> {
          received.incrementAndGet();
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    if (client != null) {
      client.close();
    }
    if (mesh != null) {
      mesh.close();
    }
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }

  private void start(String resilience4j, Resilience4jCallGuards guards) {
    String yaml =
        """
        services:
          reviews:
            routes:
              - name: main
                destinations: [{cluster: reviews}]
                resilience4j: %s
        clusters:
          reviews:
            endpoints: [{address: "127.0.0.1:%d"}]
        """
            .formatted(resilience4j, server.getAddress().getPort());
    mesh =
        Mesh.builder()
            .config(MeshConfigYaml.read(yaml.getBytes(StandardCharsets.UTF_8), "mesh.yaml"))
            .callGuards(guards)
            .build();
    client = MeshHttpClient.builder(mesh).build();
  }

  private CompletableFuture<HttpResponse<String>> get() {
    return client.sendAsync(
        HttpRequest.newBuilder(URI.create("http://reviews/r")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aFullBulkheadRefusesAtOnceAndItsPermitsComeBackWhenCallsEnd() throws Exception {
    BulkheadRegistry bulkheads =
        BulkheadRegistry.of(
            BulkheadConfig.custom().maxConcurrentCalls(2).maxWaitDuration(Duration.ZERO).build());
    Bulkhead bulkhead = bulkheads.bulkhead("reviews");
    CircuitBreakerRegistry breakers = CircuitBreakerRegistry.ofDefaults();
    CircuitBreaker breaker = breakers.circuitBreaker("reviews");
    start(
        "{circuitBreaker: reviews, bulkhead: reviews}",
        Resilience4jCallGuards.builder()
            .circuitBreakerRegistry(breakers)
            .bulkheadRegistry(bulkheads)
            .meterRegistry(meters)
            .build());

    release = new CountDownLatch(1);
    CompletableFuture<HttpResponse<String>> first = get();
    CompletableFuture<HttpResponse<String>> second = get();
    await().atMost(Duration.ofSeconds(20)).until(() -> received.get() == 2);
    assertThat(bulkhead.getMetrics().getAvailableConcurrentCalls()).isZero();
    assertThat(
            meters
                .get("resilience4j.bulkhead.available.concurrent.calls")
                .tag("name", "reviews")
                .gauge()
                .value())
        .isZero();

    // The third is refused at once, without reaching the server, with the bulkhead's exception.
    assertThatThrownBy(() -> get().join())
        .cause()
        .isInstanceOfSatisfying(
            MeshException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(MeshException.Reason.CIRCUIT_OPEN);
              assertThat(e.getCause()).isInstanceOf(BulkheadFullException.class);
              assertThat(e.getMessage()).contains("Bulkhead 'reviews' is full");
            });
    assertThat(received.get()).isEqualTo(2);
    // The breaker's permission for the refused call was given back, not counted as a failure.
    assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isZero();

    release.countDown();
    assertThat(first.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(second.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> bulkhead.getMetrics().getAvailableConcurrentCalls() == 2);
    assertThat(get().get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(bulkhead.getMetrics().getAvailableConcurrentCalls()).isEqualTo(2);
    assertThat(breaker.getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(3);
  }

  @Test
  void aRateLimiterOutOfPermissionsFailsTheCallWithRateLimited() throws Exception {
    RateLimiterRegistry limiters =
        RateLimiterRegistry.of(
            RateLimiterConfig.custom()
                .limitForPeriod(2)
                .limitRefreshPeriod(Duration.ofHours(1))
                .timeoutDuration(Duration.ZERO)
                .build());
    start(
        "{rateLimiter: reviews}",
        Resilience4jCallGuards.builder()
            .rateLimiterRegistry(limiters)
            .createMissingInstances(true)
            .build());

    assertThat(get().get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(get().get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThatThrownBy(() -> get().join())
        .cause()
        .isInstanceOfSatisfying(
            MeshException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(MeshException.Reason.RATE_LIMITED);
              assertThat(e.getCause()).isInstanceOf(RequestNotPermitted.class);
            });
    assertThat(received.get()).isEqualTo(2);
    // Created from the registry's default configuration, since the builder allowed it.
    assertThat(limiters.find("reviews")).isPresent();
  }
}
