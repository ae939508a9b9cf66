package dev.weft.mesh.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.core.StaticConfigSource;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HTTP calls made before the mesh's first configuration wait for it. */
class StartupWaitHttpTest {
  private final AtomicInteger served = new AtomicInteger();
  private HttpServer server;
  private StaticConfigSource source;
  private Mesh mesh;
  private MeshHttpClient client;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          served.incrementAndGet();
          byte[] body = ("hello " + exchange.getRequestURI().getPath()).getBytes(UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    source = StaticConfigSource.pending();
    mesh = Mesh.builder().name("http").configSource(source).build();
    client = MeshHttpClient.builder(mesh).build();
  }

  private static final java.nio.charset.Charset UTF_8 = StandardCharsets.UTF_8;

  @AfterEach
  void stop() {
    client.close();
    mesh.close();
    server.stop(0);
  }

  private MeshConfig config() {
    return MeshConfig.builder()
        .version("1")
        .cluster(
            Cluster.builder("c")
                .endpoints(Endpoint.of("127.0.0.1", server.getAddress().getPort()))
                .build())
        .service(
            Service.of("greeter", Route.builder("main").destinations(Destination.of("c")).build()))
        .build();
  }

  private CompletableFuture<HttpResponse<String>> get(String path, Duration timeout) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://greeter" + path)).GET();
    if (timeout != null) {
      b.timeout(timeout);
    }
    return client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aCallMadeBeforeTheFirstConfigurationSucceedsOnceItArrives() throws Exception {
    CompletableFuture<HttpResponse<String>> early = get("/early", null);
    CompletableFuture<HttpResponse<String>> withDeadline = get("/deadline", Duration.ofSeconds(20));
    assertThat(early).isNotDone();
    assertThat(served).hasValue(0);

    source.update(config());

    HttpResponse<String> r = early.get(10, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("hello /early");
    assertThat(withDeadline.get(10, TimeUnit.SECONDS).body()).isEqualTo("hello /deadline");
  }

  @Test
  void aCallWithAShortDeadlineFailsAtItSayingWhatTheMeshWaitsFor() {
    long start = System.nanoTime();
    assertThatThrownBy(
            () ->
                client.send(
                    HttpRequest.newBuilder(URI.create("http://greeter/x"))
                        .timeout(Duration.ofMillis(300))
                        .build(),
                    HttpResponse.BodyHandlers.ofString()))
        .isInstanceOfSatisfying(
            MeshException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(MeshException.Reason.NOT_READY);
              assertThat(e.getMessage())
                  .contains("mesh 'http' still has no configuration after the call waited")
                  .contains("StaticConfigSource.update has not been called");
            });
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(250L, 5_000L);
  }

  @Test
  void cancellingAWaitingCallEndsItAndItNeverReachesTheServer() throws Exception {
    CompletableFuture<HttpResponse<String>> f = get("/never", null);
    assertThat(f.cancel(true)).isTrue();
    source.update(config());
    assertThat(get("/after", null).get(10, TimeUnit.SECONDS).body()).isEqualTo("hello /after");
    assertThat(served).hasValue(1);
    assertThatThrownBy(f::get).isInstanceOf(CancellationException.class);
  }

  @Test
  void closingTheMeshFailsTheWaitingCalls() {
    CompletableFuture<HttpResponse<String>> f = get("/x", null);
    mesh.close();
    assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(MeshException.class)
        .hasMessageContaining("mesh 'http' was closed before it had a configuration");
  }
}
