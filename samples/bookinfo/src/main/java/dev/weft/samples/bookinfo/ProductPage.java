package dev.weft.samples.bookinfo;

import com.fasterxml.jackson.core.type.TypeReference;
import com.sun.net.httpserver.HttpExchange;
import dev.weft.mesh.http.MeshHttpClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The front end: {@code GET /productpage} (HTML; {@code ?u=jason} signs in as jason) and {@code GET
 * /api/v1/products/{id}} (JSON), both built from details and reviews, called over HTTP through the
 * mesh with the {@code end-user} header passed on.
 */
public final class ProductPage implements AutoCloseable {
  static final String REVIEWS_UNAVAILABLE =
      "Sorry, product reviews are currently unavailable for this book.";
  static final String DETAILS_UNAVAILABLE =
      "Sorry, product details are currently unavailable for this book.";
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final MeshHttpClient http;
  private final Http.Servers servers;

  /**
   * @param http productpage's client for details and reviews, with productpage's own identity
   * @param security its mutual-TLS port and policies; null to serve plaintext only
   */
  ProductPage(
      InetSocketAddress address,
      ServiceSecurity security,
      MeshHttpClient http,
      OpenTelemetry openTelemetry,
      MeterRegistry registry)
      throws IOException {
    this.http = http;
    this.servers =
        Http.serve("productpage", address, security, this::handle, openTelemetry, registry);
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String user = user(exchange);
    if (path.startsWith("/api/v1/products/")) {
      int id = Http.trailingId(path);
      Map<String, Object> product = product(Math.max(id, 0), user);
      exchange.getResponseHeaders().set("x-trace-id", Span.current().getSpanContext().getTraceId());
      Http.respond(exchange, 200, "application/json", RatingsApi.JSON.writeValueAsString(product));
    } else if (path.equals("/") || path.equals("/productpage")) {
      exchange.getResponseHeaders().set("x-trace-id", Span.current().getSpanContext().getTraceId());
      Http.respond(exchange, 200, "text/html; charset=utf-8", Html.page(product(0, user), user));
    } else {
      Http.respond(exchange, 404, "text/plain", "not found");
    }
  }

  /** The user from the {@code end-user} header, else from {@code ?u=}; null when signed out. */
  private static String user(HttpExchange exchange) {
    String header = exchange.getRequestHeaders().getFirst(Http.END_USER);
    if (header != null && !header.isEmpty()) {
      return header;
    }
    String query = exchange.getRequestURI().getQuery();
    if (query != null) {
      for (String pair : query.split("&")) {
        if (pair.startsWith("u=") && pair.length() > 2) {
          return pair.substring(2);
        }
      }
    }
    return null;
  }

  /** Details and reviews of one book, or an error message in place of either. */
  Map<String, Object> product(int id, String user) {
    Map<String, Object> product = new LinkedHashMap<>();
    product.put("id", id);
    product.put("title", "The Comedy of Errors");
    product.put("user", user);
    Fetched details = fetch("http://details/details/" + id, user);
    product.put(
        "details",
        details.body != null
            ? details.body
            : Map.of("error", DETAILS_UNAVAILABLE, "cause", details.error));
    Fetched reviews = fetch("http://reviews/reviews/" + id, user);
    if (reviews.body != null) {
      product.put("reviewsVersion", reviews.servedBy);
      product.put("reviews", reviews.body.get("reviews"));
    } else {
      product.put("reviewsVersion", null);
      product.put("reviewsError", REVIEWS_UNAVAILABLE);
      product.put("reviewsCause", reviews.error);
      product.put("reviews", List.of());
    }
    return product;
  }

  private record Fetched(Map<String, Object> body, String servedBy, String error) {}

  private Fetched fetch(String url, String user) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
    if (user != null) {
      request.header(Http.END_USER, user);
    }
    try {
      HttpResponse<String> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return new Fetched(null, null, "status " + response.statusCode() + ": " + response.body());
      }
      return new Fetched(
          RatingsApi.JSON.readValue(response.body(), MAP),
          response.headers().firstValue("x-served-by").orElse("?"),
          null);
    } catch (IOException | RuntimeException e) {
      return new Fetched(null, null, e.getClass().getSimpleName() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Fetched(null, null, "interrupted");
    }
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
   * {@code ProductPage [port] [mesh.yaml]}: runs productpage alone, calling details and reviews
   * through a mesh configured from the file (by default the one the BookInfo command writes).
   */
  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 9080;
    java.nio.file.Path file =
        args.length > 1 ? java.nio.file.Path.of(args[1]) : BookInfo.Options.DEFAULT_CONFIG;
    dev.weft.mesh.core.Mesh mesh =
        dev.weft.mesh.core.Mesh.builder()
            .name("productpage")
            .configSource(dev.weft.mesh.config.file.FileConfigSource.builder(file).build())
            .build();
    MeshHttpClient http = MeshHttpClient.builder(mesh).build();
    ProductPage page =
        new ProductPage(
            new InetSocketAddress("127.0.0.1", port),
            null,
            http,
            mesh.openTelemetry(),
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    System.out.println(
        "productpage on http://127.0.0.1:" + page.port() + "/productpage, mesh from " + file);
  }
}
