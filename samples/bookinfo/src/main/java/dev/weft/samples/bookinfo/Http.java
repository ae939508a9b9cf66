package dev.weft.samples.bookinfo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.weft.mesh.http.server.MeshHttpServerFilter;
import dev.weft.mesh.security.tls.WorkloadTls;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The small amount of plumbing the HTTP services share: JDK servers with the mesh's filter. */
final class Http {

  static {
    // Without it the JDK server's separate header and body writes meet delayed ACKs: ~40 ms a call.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  /** The header Istio's BookInfo uses to name the signed-in user; services pass it on. */
  static final String END_USER = "end-user";

  /**
   * Started servers for {@code service}: one on {@code address} in plaintext and, with {@code
   * security}, one on its mutual-TLS address requiring a client certificate. Both run the same
   * handler behind the mesh's server filter, which enforces {@code security}'s policies on both,
   * and count their callers.
   */
  static Servers serve(
      String service,
      InetSocketAddress address,
      ServiceSecurity security,
      HttpHandler handler,
      OpenTelemetry openTelemetry,
      MeterRegistry registry)
      throws IOException {
    Callers callers = new Callers();
    HttpHandler counting =
        exchange -> {
          callers.record(MeshHttpServerFilter.peerIdentity(exchange));
          handler.handle(exchange);
        };
    MeshHttpServerFilter.Builder filter =
        MeshHttpServerFilter.builder(service).openTelemetry(openTelemetry).meterRegistry(registry);
    if (security != null) {
      filter.authorization(security.enforcer());
    }
    HttpServer plaintext = start(HttpServer.create(address, 64), service, counting, filter.build());
    if (security == null) {
      return new Servers(plaintext, null, callers);
    }
    WorkloadTls tls = security.tls();
    try {
      HttpsServer mtls = HttpsServer.create(security.mtlsAddress(), 64);
      mtls.setHttpsConfigurator(
          new HttpsConfigurator(tls.serverContext()) {
            @Override
            public void configure(HttpsParameters parameters) {
              // requires a client certificate: a caller without one fails the handshake
              parameters.setSSLParameters(tls.serverParameters());
            }
          });
      return new Servers(
          plaintext, start(mtls, service + "-mtls", counting, filter.build()), callers);
    } catch (IOException | RuntimeException e) {
      stop(plaintext);
      throw e;
    }
  }

  private static HttpServer start(
      HttpServer server, String name, HttpHandler handler, MeshHttpServerFilter filter) {
    server.createContext("/", handler).getFilters().add(filter);
    ExecutorService executor =
        Executors.newFixedThreadPool(
            16,
            r -> {
              Thread t = new Thread(r, "bookinfo-" + name);
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.start();
    return server;
  }

  /** A service's servers: plaintext, and mutual TLS when it has a {@link ServiceSecurity}. */
  static final class Servers {
    private final HttpServer plaintext;
    private final HttpServer mtls;
    private final Callers callers;

    private Servers(HttpServer plaintext, HttpServer mtls, Callers callers) {
      this.plaintext = plaintext;
      this.mtls = mtls;
      this.callers = callers;
    }

    int port() {
      return plaintext.getAddress().getPort();
    }

    /** The mutual-TLS port, or -1 without one. */
    int tlsPort() {
      return mtls == null ? -1 : mtls.getAddress().getPort();
    }

    Callers callers() {
      return callers;
    }

    void stop() {
      Http.stop(plaintext);
      if (mtls != null) {
        Http.stop(mtls);
      }
    }
  }

  private static void stop(HttpServer server) {
    server.stop(0);
    if (server.getExecutor() instanceof ExecutorService executor) {
      executor.shutdownNow();
    }
  }

  static void respond(HttpExchange exchange, int status, String contentType, String body)
      throws IOException {
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
