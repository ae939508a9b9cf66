package dev.weft.mesh.console;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.HealthStatus;
import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.RetryOn;
import dev.weft.mesh.api.config.RetryPolicy;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.api.config.Subset;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.core.StaticConfigSource;
import dev.weft.mesh.http.MeshHttpClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A mesh with BookInfo's shape on loopback: service {@code reviews} split between subsets {@code
 * v1} (two endpoints) and {@code v2} (one, the canary) of cluster {@code reviews}, and cluster
 * {@code ratings} called by its own name; real HTTP backends and the mesh's HTTP client.
 */
final class ConsoleFixture implements AutoCloseable {
  final Backend v1a = new Backend("reviews-v1-a");
  final Backend v1b = new Backend("reviews-v1-b");
  final Backend v2 = new Backend("reviews-v2");
  final Backend ratings = new Backend("ratings");
  final StaticConfigSource source;
  final Mesh mesh;
  final MeshHttpClient http;
  final AtomicLong sent = new AtomicLong();
  private ScheduledExecutorService traffic;

  ConsoleFixture() {
    source = new StaticConfigSource(config("1", 90, 10));
    mesh = Mesh.builder().name("bookinfo").configSource(source).build();
    http = MeshHttpClient.builder(mesh).build();
  }

  MeshConfig config(String version, int v1Weight, int v2Weight) {
    return config(version, v1Weight, v2Weight, LoadBalancing.DEFAULT);
  }

  MeshConfig config(String version, int v1Weight, int v2Weight, LoadBalancing loadBalancing) {
    List<Destination> ds = new ArrayList<>();
    ds.add(Destination.of("reviews", "v1", v1Weight));
    ds.add(Destination.of("reviews", "v2", v2Weight));
    return MeshConfig.builder()
        .version(version)
        .cluster(
            Cluster.builder("reviews")
                .endpoints(
                    endpoint(v1a, "v1", HealthStatus.HEALTHY),
                    endpoint(v1b, "v1", HealthStatus.HEALTHY),
                    endpoint(v2, "v2", HealthStatus.UNKNOWN))
                .subsets(
                    new Subset("v1", Map.of("version", "v1")),
                    new Subset("v2", Map.of("version", "v2")))
                .loadBalancing(loadBalancing)
                .build())
        .cluster(
            Cluster.builder("ratings").endpoints(Endpoint.of("127.0.0.1", ratings.port())).build())
        .service(
            Service.of(
                "reviews",
                Route.builder("default")
                    .destinations(ds)
                    .retry(RetryPolicy.builder().maxAttempts(2).retryOn(RetryOn.FIVE_XX).build())
                    .build()))
        .build();
  }

  private static Endpoint endpoint(Backend b, String version, HealthStatus health) {
    return Endpoint.builder("127.0.0.1", b.port())
        .labels(Map.of("version", version))
        .health(health)
        .build();
  }

  /** Sends about {@code perSecond} requests a second to reviews and a tenth of that to ratings. */
  ConsoleFixture startTraffic(int perSecond) {
    traffic = Executors.newSingleThreadScheduledExecutor();
    long periodMicros = 1_000_000L / perSecond;
    traffic.scheduleAtFixedRate(
        () -> {
          long n = sent.incrementAndGet();
          send(n % 10 == 0 ? "http://ratings/ratings/1" : "http://reviews/reviews/" + n);
        },
        0,
        periodMicros,
        TimeUnit.MICROSECONDS);
    return this;
  }

  /** Sends one request and waits for its answer; what the mesh throws is returned, not thrown. */
  Object send(String url) {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.ofString())
          .statusCode();
    } catch (Exception e) {
      return e;
    }
  }

  @Override
  public void close() {
    if (traffic != null) {
      traffic.shutdownNow();
      try {
        traffic.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    http.close();
    mesh.close();
    v1a.close();
    v1b.close();
    v2.close();
    ratings.close();
  }
}
