package dev.weft.samples.bookinfo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.weft.mesh.http.server.MeshHttpServerFilter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The small amount of plumbing the HTTP services share: a JDK server with the mesh's filter. */
final class Http {

  static {
    // Without it the JDK server's separate header and body writes meet delayed ACKs: ~40 ms a call.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  /** The header Istio's BookInfo uses to name the signed-in user; services pass it on. */
  static final String END_USER = "end-user";

  /** A started server for {@code service} whose every request goes through the mesh's server filter. */
  static HttpServer serve(String service, InetSocketAddress address, HttpHandler handler,
      OpenTelemetry openTelemetry, MeterRegistry registry) throws IOException {
    HttpServer server = HttpServer.create(address, 64);
    server.createContext("/", handler).getFilters().add(
        MeshHttpServerFilter.builder(service).openTelemetry(openTelemetry).meterRegistry(registry).build());
    ExecutorService executor = Executors.newFixedThreadPool(16, r -> {
      Thread t = new Thread(r, "bookinfo-" + service);
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.start();
    return server;
  }

  static void stop(HttpServer server) {
    server.stop(0);
    if (server.getExecutor() instanceof ExecutorService executor) {
      executor.shutdownNow();
    }
  }

  static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("content-type", contentType);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** The number at the end of a path such as {@code /reviews/3}, or -1. */
  static int trailingId(String path) {
    String last = path.substring(path.lastIndexOf('/') + 1);
    try {
      return Integer.parseInt(last);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private Http() {}
}
