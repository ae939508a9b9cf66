package dev.weft.mesh.security.tls;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.weft.mesh.security.AuthorizationEnforcer;
import dev.weft.mesh.security.Decision;
import dev.weft.mesh.security.PeerIdentity;
import dev.weft.mesh.security.RequestHeaders;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * How a JDK {@link HttpsServer} serves the mesh: mutual TLS with Weft's managers, the caller's
 * SPIFFE identity from the TLS session, and every request put through an {@link
 * AuthorizationEnforcer} (403 with the reason on denial). The body of an allowed response names the
 * caller and the serial of its certificate, so tests can see which certificate the client
 * presented.
 */
final class ExampleHttpsServer implements AutoCloseable {
  static {
    // Without TCP_NODELAY, headers and body go out in two segments and Nagle's algorithm meets the
    // client's delayed ACK: about 40 ms per request. Read once, when the JDK server first starts.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private final HttpsServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(4);

  /** Serials (hex) of every client certificate the server has seen. */
  final Set<String> clientSerialsSeen = ConcurrentHashMap.newKeySet();

  ExampleHttpsServer(SSLContext context, AuthorizationEnforcer enforcer) throws IOException {
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(
        new HttpsConfigurator(context) {
          @Override
          public void configure(HttpsParameters params) {
            params.setSSLParameters(TlsContexts.mutualTlsParameters(context));
          }
        });
    server.createContext(
        "/",
        exchange -> {
          HttpsExchange https = (HttpsExchange) exchange;
          try (exchange) {
            Optional<PeerIdentity> caller = PeerIdentity.from(https.getSSLSession());
            caller.ifPresent(p -> clientSerialsSeen.add(p.serialNumber().toString(16)));
            Headers headers = exchange.getRequestHeaders();
            RequestHeaders requestHeaders =
                name -> {
                  List<String> values = headers.get(name);
                  return values == null ? List.of() : values;
                };
            Decision decision =
                enforcer.enforce(
                    https.getSSLSession(),
                    exchange.getRequestURI().getRawPath(),
                    exchange.getRequestMethod(),
                    requestHeaders);
            if (decision.denied()) {
              respond(exchange, 403, "RBAC: access denied: " + decision.reason());
              return;
            }
            String who =
                caller
                    .map(p -> p.spiffeId() + " " + p.serialNumber().toString(16))
                    .orElse("anonymous");
            respond(exchange, 200, "hello " + who);
          }
        });
    server.setExecutor(executor);
    server.start();
  }

  private static void respond(com.sun.net.httpserver.HttpExchange exchange, int status, String body)
      throws IOException {
    exchange.getRequestBody().readAllBytes();
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  URI uri(String path) {
    return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
