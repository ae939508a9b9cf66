package dev.weft.samples.bookinfo;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The reviews service over HTTP ({@code GET /reviews/{id}}), in three versions: v1 shows no
 * ratings, v2 black stars, v3 red stars. v2 and v3 ask ratings over gRPC through the mesh, passing
 * the {@code end-user} header on as metadata so that ratings' routes can match it.
 */
public final class Reviews implements AutoCloseable {
  static final String RATINGS_UNAVAILABLE = "Ratings service is currently unavailable";
  private static final Metadata.Key<String> END_USER =
      Metadata.Key.of(Http.END_USER, Metadata.ASCII_STRING_MARSHALLER);

  private final String version;
  private final Http.Servers servers;
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();

  /** Every how many requests one fails with a 503; 0 for none (the canary demo's fault). */
  private volatile int failEvery;

  /** How long each request is held before it is answered (the canary demo's slowness). */
  private volatile long extraLatencyMillis;

  /**
   * @param security its mutual-TLS port and policies; null to serve plaintext only
   * @param ratings a mesh channel to the ratings service, with reviews' own identity; unused by v1
   */
  Reviews(
      String version,
      InetSocketAddress address,
      ServiceSecurity security,
      Channel ratings,
      OpenTelemetry openTelemetry,
      MeterRegistry registry)
      throws IOException {
    this.version = version;
    this.servers =
        Http.serve(
            "reviews-" + version,
            address,
            security,
            exchange -> {
              calls.incrementAndGet();
              int every = failEvery;
              if (every > 0 && requests.incrementAndGet() % every == 0) {
                Http.respond(exchange, 503, "text/plain", "reviews-" + version + " is failing");
                return;
              }
              long hold = extraLatencyMillis;
              if (hold > 0) {
                // A demo of a slow release: the handler thread is held, as a slow one would be.
                try {
                  Thread.sleep(hold);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              int id = Http.trailingId(exchange.getRequestURI().getPath());
              String user = exchange.getRequestHeaders().getFirst(Http.END_USER);
              Map<String, Object> body = new LinkedHashMap<>();
              body.put("id", id);
              body.put("podname", "reviews-" + version);
              body.put("reviews", reviews(id, user, ratings));
              exchange.getResponseHeaders().set("x-served-by", "reviews-" + version);
              Http.respond(
                  exchange, 200, "application/json", RatingsApi.JSON.writeValueAsString(body));
            },
            openTelemetry,
            registry);
  }

  private List<Map<String, Object>> reviews(int id, String user, Channel ratings) {
    Map<String, Object> stars1 = null;
    Map<String, Object> stars2 = null;
    if (!version.equals("v1")) {
      String color = version.equals("v2") ? "black" : "red";
      try {
        Metadata headers = new Metadata();
        if (user != null) {
          headers.put(END_USER, user);
        }
        Channel channel =
            ClientInterceptors.intercept(
                ratings, MetadataUtils.newAttachHeadersInterceptor(headers));
        RatingsApi.RatingsReply reply =
            ClientCalls.blockingUnaryCall(
                channel,
                RatingsApi.GET_RATINGS,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                new RatingsApi.RatingsRequest(id));
        stars1 = Map.of("stars", reply.ratings().getOrDefault("Reviewer1", 0), "color", color);
        stars2 = Map.of("stars", reply.ratings().getOrDefault("Reviewer2", 0), "color", color);
      } catch (StatusRuntimeException e) {
        stars1 = Map.of("error", RATINGS_UNAVAILABLE);
        stars2 = stars1;
      }
    }
    List<Map<String, Object>> reviews = new ArrayList<>();
    reviews.add(
        review(
            "Reviewer1",
            "An extremely entertaining play by Shakespeare. The slapstick humour is refreshing!",
            stars1));
    reviews.add(
        review(
            "Reviewer2",
            "Absolutely fun and entertaining. The play lacks thematic depth when compared to other plays by Shakespeare.",
            stars2));
    return reviews;
  }

  private static Map<String, Object> review(
      String reviewer, String text, Map<String, Object> rating) {
    Map<String, Object> review = new LinkedHashMap<>();
    review.put("reviewer", reviewer);
    review.put("text", text);
    if (rating != null) {
      review.put("rating", rating);
    }
    return review;
  }

  String version() {
    return version;
  }

  /**
   * Makes this version misbehave, for the canary demo: one request in {@code failEvery} fails with
   * a 503 (0: none), and every request takes {@code extraLatency} longer.
   */
  void misbehave(int failEvery, java.time.Duration extraLatency) {
    this.failEvery = failEvery;
    this.extraLatencyMillis = extraLatency.toMillis();
  }

  long calls() {
    return calls.get();
  }

  int port() {
    return servers.port();
  }

  /** Calls answered so far, by the caller's verified identity. */
  Map<String, Long> callers() {
    return servers.callers().snapshot();
  }

  @Override
  public void close() {
    servers.stop();
  }

  /**
   * {@code Reviews VERSION [port] [mesh.yaml]}: runs one version of reviews alone, calling ratings
   * through a mesh configured from the file (by default the one the BookInfo command writes).
   */
  public static void main(String[] args) throws Exception {
    String version = args.length > 0 ? args[0] : "v1";
    int port =
        args.length > 1
            ? Integer.parseInt(args[1])
            : 9082 + Integer.parseInt(version.substring(1)) - 1;
    java.nio.file.Path file =
        args.length > 2 ? java.nio.file.Path.of(args[2]) : BookInfo.Options.DEFAULT_CONFIG;
    dev.weft.mesh.core.Mesh mesh =
        dev.weft.mesh.core.Mesh.builder()
            .name("reviews-" + version)
            .configSource(dev.weft.mesh.config.file.FileConfigSource.builder(file).build())
            .build();
    dev.weft.mesh.grpc.MeshGrpc grpc = dev.weft.mesh.grpc.MeshGrpc.create(mesh);
    Reviews reviews =
        new Reviews(
            version,
            new InetSocketAddress("127.0.0.1", port),
            null,
            grpc.channel("ratings"),
            mesh.openTelemetry(),
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    System.out.println(
        "reviews " + version + " listening on 127.0.0.1:" + reviews.port() + ", mesh from " + file);
  }
}
