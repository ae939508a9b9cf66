package dev.weft.samples.bookinfo;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** The details service: the book's facts over HTTP ({@code GET /details/{id}}). */
public final class Details implements AutoCloseable {
  private final Http.Servers servers;
  private final AtomicLong calls = new AtomicLong();
  private volatile Duration latency;

  /**
   * @param latency how long each answer takes; a little latency lets a circuit-breaking scenario
   *     overlap calls the way Istio's task does with its load generator
   * @param security its mutual-TLS port and policies; null to serve plaintext only
   */
  Details(
      InetSocketAddress address,
      ServiceSecurity security,
      Duration latency,
      OpenTelemetry openTelemetry,
      MeterRegistry registry)
      throws IOException {
    this.latency = latency;
    this.servers =
        Http.serve(
            "details",
            address,
            security,
            exchange -> {
              calls.incrementAndGet();
              int id = Http.trailingId(exchange.getRequestURI().getPath());
              if (!exchange.getRequestURI().getPath().startsWith("/details/") || id < 0) {
                Http.respond(
                    exchange,
                    404,
                    "application/json",
                    "{\"error\":\"please provide a numeric product id\"}");
                return;
              }
              Duration wait = this.latency;
              if (!wait.isZero()) {
                try {
                  Thread.sleep(wait.toMillis());
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              Http.respond(exchange, 200, "application/json", json(book(id)));
            },
            openTelemetry,
            registry);
  }

  static Map<String, Object> book(int id) {
    Map<String, Object> book = new LinkedHashMap<>();
    book.put("id", id);
    book.put("author", "William Shakespeare");
    book.put("year", 1595);
    book.put("type", "paperback");
    book.put("pages", 200);
    book.put("publisher", "PublisherA");
    book.put("language", "English");
    book.put("ISBN-10", "1234567890");
    book.put("ISBN-13", "123-1234567890");
    return book;
  }

  private static String json(Object value) throws IOException {
    try {
      return RatingsApi.JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IOException(e);
    }
  }

  /** Changes how long each answer takes from now on. */
  void latency(Duration latency) {
    this.latency = latency;
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

  /** {@code Details [port]}: runs the details service alone. */
  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 9081;
    Details details =
        new Details(
            new InetSocketAddress("127.0.0.1", port),
            null,
            Duration.ZERO,
            OpenTelemetry.noop(),
            new SimpleMeterRegistry());
    System.out.println("details listening on 127.0.0.1:" + details.port());
  }
}
