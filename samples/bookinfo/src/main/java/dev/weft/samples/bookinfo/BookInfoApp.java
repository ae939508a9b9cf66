package dev.weft.samples.bookinfo;

import dev.weft.mesh.api.spi.ConfigSource;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.grpc.MeshGrpc;
import dev.weft.mesh.grpc.MeshServer;
import dev.weft.mesh.http.MeshHttpClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole application in one JVM: the four services and the one mesh their clients share (each
 * would have its own in a deployment; their configuration would be the same).
 */
final class BookInfoApp implements AutoCloseable {
  final Scenarios.Ports ports;
  final Mesh mesh;
  final Traces traces;
  final MeterRegistry registry;
  final MeshHttpClient http;
  final MeshGrpc grpc;
  final Ratings ratings;
  final Details details;
  final List<Reviews> reviews = new ArrayList<>();
  final ProductPage productPage;

  BookInfoApp(Scenarios.Ports ports, ConfigSource source, MeterRegistry registry, Duration detailsLatency) throws IOException {
    this.ports = ports;
    this.registry = registry;
    this.traces = new Traces();
    boolean started = false;
    Mesh mesh = null;
    MeshHttpClient http = null;
    MeshGrpc grpc = null;
    Ratings ratings = null;
    Details details = null;
    ProductPage productPage = null;
    try {
      mesh = Mesh.builder().name("bookinfo").configSource(source).meterRegistry(registry)
          .openTelemetry(traces.openTelemetry()).build();
      http = MeshHttpClient.builder(mesh).defaultTimeout(Duration.ofSeconds(30)).build();
      grpc = MeshGrpc.create(mesh);
      MeshServer server = MeshServer.builder().openTelemetry(traces.openTelemetry()).meterRegistry(registry).build();
      ratings = new Ratings(loopback(ports.ratings()), server);
      details = new Details(loopback(ports.details()), detailsLatency, traces.openTelemetry(), registry);
      int[] reviewPorts = {ports.reviewsV1(), ports.reviewsV2(), ports.reviewsV3()};
      for (int i = 0; i < 3; i++) {
        reviews.add(new Reviews("v" + (i + 1), loopback(reviewPorts[i]), grpc.channel("ratings"), traces.openTelemetry(), registry));
      }
      productPage = new ProductPage(loopback(ports.productpage()), http, traces.openTelemetry(), registry);
      started = true;
    } finally {
      this.mesh = mesh;
      this.http = http;
      this.grpc = grpc;
      this.ratings = ratings;
      this.details = details;
      this.productPage = productPage;
      if (!started) {
        close();
      }
    }
  }

  Reviews reviews(String version) {
    return reviews.stream().filter(r -> r.version().equals(version)).findFirst().orElseThrow();
  }

  private static InetSocketAddress loopback(int port) {
    return new InetSocketAddress("127.0.0.1", port);
  }

  @Override
  public void close() {
    if (productPage != null) {
      productPage.close();
    }
    reviews.forEach(Reviews::close);
    if (details != null) {
      details.close();
    }
    if (ratings != null) {
      try {
        ratings.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (grpc != null) {
      grpc.close();
    }
    if (http != null) {
      http.close();
    }
    if (mesh != null) {
      mesh.close();
    }
    traces.stop();
  }
}
