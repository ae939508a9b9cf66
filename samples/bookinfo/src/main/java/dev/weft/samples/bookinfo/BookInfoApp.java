package dev.weft.samples.bookinfo;

import dev.weft.mesh.api.spi.ConfigSource;
import dev.weft.mesh.console.MeshConsole;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.grpc.MeshGrpc;
import dev.weft.mesh.http.MeshHttpClient;
import dev.weft.mesh.security.AuthorizationEnforcer;
import dev.weft.mesh.security.MeshAuthorization;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole application in one JVM: the four services and the one mesh configuration they share
 * (each would read its own copy in a deployment).
 *
 * <p>Each service stands for its own process, so each has its own identity: a certificate minted at
 * start by {@link Identities}, which its servers present on their mutual-TLS ports and its clients
 * present to the services it calls (productpage's HTTP client, reviews' gRPC channel). Every
 * service listens on a plaintext port and a mutual-TLS port; the scenario decides which ones the
 * clusters' endpoints name. Each service's enforcer follows the configuration's {@code
 * authorizationPolicies} for it, on both ports. Traffic into productpage comes from {@link #http},
 * the edge client, with the ingress gateway's identity.
 */
final class BookInfoApp implements AutoCloseable {
  /** Where the certificate directories are made (and deleted on close). */
  static final Path CERTIFICATES_PARENT =
      Path.of(System.getProperty("java.io.tmpdir"), "weft-bookinfo");

  final Scenarios.Ports ports;
  final Mesh mesh;
  final Traces traces;
  final MeterRegistry registry;
  final AuditTrail audit = new AuditTrail();
  final Identities identities;

  /**
   * The edge client that sends BookInfo its traffic: Istio's ingress gateway, with its identity.
   */
  final MeshHttpClient http;

  /** productpage's client for details and reviews, with productpage's identity. */
  final MeshHttpClient productPageHttp;

  /** reviews' client for ratings, with reviews' identity. */
  final MeshGrpc reviewsGrpc;

  final Ratings ratings;
  final Details details;
  final List<Reviews> reviews = new ArrayList<>();
  final ProductPage productPage;

  /** The live mesh console of the process, on its own loopback port (see {@link #consoleUrl}). */
  private final MeshConsole console;

  private final com.sun.net.httpserver.HttpServer consoleServer;
  private final List<MeshAuthorization> policies = new ArrayList<>();

  BookInfoApp(
      Scenarios.Ports ports, ConfigSource source, MeterRegistry registry, Duration detailsLatency)
      throws IOException {
    this.ports = ports;
    this.registry = registry;
    this.traces = new Traces();
    boolean started = false;
    Identities identities = null;
    Mesh mesh = null;
    MeshHttpClient http = null;
    MeshHttpClient productPageHttp = null;
    MeshGrpc reviewsGrpc = null;
    Ratings ratings = null;
    Details details = null;
    ProductPage productPage = null;
    MeshConsole console = null;
    com.sun.net.httpserver.HttpServer consoleServer = null;
    try {
      identities = Identities.mint(CERTIFICATES_PARENT, Duration.ofDays(1));
      mesh =
          Mesh.builder()
              .name("bookinfo")
              .configSource(source)
              .meterRegistry(registry)
              .openTelemetry(traces.openTelemetry())
              .build();
      http =
          MeshHttpClient.builder(mesh)
              .workloadTls(identities.tls(Identities.INGRESS))
              .defaultTimeout(Duration.ofSeconds(30))
              .build();
      productPageHttp =
          MeshHttpClient.builder(mesh)
              .workloadTls(identities.tls("productpage"))
              .defaultTimeout(Duration.ofSeconds(30))
              .build();
      reviewsGrpc = MeshGrpc.builder(mesh).workloadTls(identities.tls("reviews")).build();
      ratings =
          new Ratings(
              loopback(ports.ratings()),
              security(mesh, identities, "ratings", ports.ratingsTls()),
              traces.openTelemetry(),
              registry);
      details =
          new Details(
              loopback(ports.details()),
              security(mesh, identities, "details", ports.detailsTls()),
              detailsLatency,
              traces.openTelemetry(),
              registry);
      int[] reviewPorts = {ports.reviewsV1(), ports.reviewsV2(), ports.reviewsV3()};
      int[] reviewTlsPorts = {ports.reviewsV1Tls(), ports.reviewsV2Tls(), ports.reviewsV3Tls()};
      for (int i = 0; i < 3; i++) {
        reviews.add(
            new Reviews(
                "v" + (i + 1),
                loopback(reviewPorts[i]),
                security(mesh, identities, "reviews", reviewTlsPorts[i]),
                reviewsGrpc.channel("ratings"),
                traces.openTelemetry(),
                registry));
      }
      productPage =
          new ProductPage(
              loopback(ports.productpage()),
              security(mesh, identities, "productpage", ports.productpageTls()),
              productPageHttp,
              traces.openTelemetry(),
              registry);
      console = MeshConsole.builder(mesh).build();
      consoleServer =
          com.sun.net.httpserver.HttpServer.create(
              new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 16);
      consoleServer.createContext("/", console.httpHandler());
      consoleServer.start();
      started = true;
    } finally {
      this.console = console;
      this.consoleServer = consoleServer;
      this.identities = identities;
      this.mesh = mesh;
      this.http = http;
      this.productPageHttp = productPageHttp;
      this.reviewsGrpc = reviewsGrpc;
      this.ratings = ratings;
      this.details = details;
      this.productPage = productPage;
      if (!started) {
        close();
      }
    }
  }

  /** Where the live mesh console is served: {@code http://127.0.0.1:PORT/}. */
  String consoleUrl() {
    return "http://127.0.0.1:" + consoleServer.getAddress().getPort() + "/";
  }

  /**
   * The mutual-TLS side of {@code service}: its certificate, and an enforcer following its
   * policies.
   */
  private ServiceSecurity security(Mesh mesh, Identities identities, String service, int tlsPort) {
    AuthorizationEnforcer enforcer =
        AuthorizationEnforcer.builder()
            .auditSink(audit.sink(service))
            .meterRegistry(registry)
            .build();
    policies.add(MeshAuthorization.follow(mesh, enforcer, service));
    return new ServiceSecurity(loopback(tlsPort), identities.tls(service), enforcer);
  }

  Reviews reviews(String version) {
    return reviews.stream().filter(r -> r.version().equals(version)).findFirst().orElseThrow();
  }

  private static InetSocketAddress loopback(int port) {
    return new InetSocketAddress("127.0.0.1", port);
  }

  @Override
  public void close() {
    if (consoleServer != null) {
      consoleServer.stop(0);
    }
    if (console != null) {
      console.close();
    }
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
    if (reviewsGrpc != null) {
      reviewsGrpc.close();
    }
    if (productPageHttp != null) {
      productPageHttp.close();
    }
    if (http != null) {
      http.close();
    }
    policies.forEach(MeshAuthorization::close);
    if (mesh != null) {
      mesh.close();
    }
    if (identities != null) {
      identities.close();
    }
    traces.stop();
  }
}
