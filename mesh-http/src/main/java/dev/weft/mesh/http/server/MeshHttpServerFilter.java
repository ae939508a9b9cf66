package dev.weft.mesh.http.server;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
import dev.weft.mesh.security.AuthorizationEnforcer;
import dev.weft.mesh.security.Decision;
import dev.weft.mesh.security.PeerIdentity;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * A filter for the JDK's {@code com.sun.net.httpserver.HttpServer} that continues the caller's
 * trace (W3C {@code traceparent} and baggage through the configured propagators), makes the server
 * span current for the handler, measures each request, and (with {@link Builder#authorization})
 * enforces authorization policies on the caller's mutual-TLS identity.
 *
 * <pre>{@code
 * HttpsServer server = HttpsServer.create(address, 0);
 * server.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()) {
 *   public void configure(HttpsParameters p) { p.setSSLParameters(tls.serverParameters()); }
 * });
 * HttpContext ctx = server.createContext("/", handler);
 * ctx.getFilters().add(MeshHttpServerFilter.builder("reviews").openTelemetry(otel).authorization(enforcer).build());
 * }</pre>
 *
 * <p>A denied request is answered {@code 403} with the decision's reason as a {@code text/plain}
 * body, and the handler is not called. Handlers read the caller with {@link
 * #peerIdentity(HttpExchange)}.
 */
public final class MeshHttpServerFilter extends Filter {
  private final ServerTelemetry telemetry;
  private final AuthorizationEnforcer enforcer;

  private MeshHttpServerFilter(ServerTelemetry telemetry, AuthorizationEnforcer enforcer) {
    this.telemetry = telemetry;
    this.enforcer = enforcer;
  }

  /**
   * The verified identity of the caller of {@code exchange}: empty for plain HTTP and for a TLS
   * client without a certificate. (Not an exchange attribute: on Java 17 the JDK server keeps
   * attributes per context, shared by concurrent exchanges.)
   */
  public static Optional<PeerIdentity> peerIdentity(HttpExchange exchange) {
    return exchange instanceof HttpsExchange https
        ? PeerIdentity.from(https.getSSLSession())
        : Optional.empty();
  }

  /** A builder for the filter of the service {@code service} (a tag on its metrics). */
  public static Builder builder(String service) {
    return new Builder(service);
  }

  @Override
  public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
    String method = exchange.getRequestMethod();
    long start = System.nanoTime();
    Context context =
        telemetry.start(
            method,
            exchange.getRequestURI().getRawPath(),
            name -> exchange.getRequestHeaders().getFirst(name));
    Throwable error = null;
    try (Scope ignored = context.makeCurrent()) {
      if (enforcer != null) {
        Decision decision =
            enforcer.enforce(
                exchange instanceof HttpsExchange https ? https.getSSLSession() : null,
                exchange.getRequestURI().getRawPath(),
                method,
                name -> {
                  List<String> values = exchange.getRequestHeaders().get(name);
                  return values == null ? List.of() : values;
                });
        if (decision.denied()) {
          forbid(exchange, decision.reason());
          return;
        }
      }
      chain.doFilter(exchange);
    } catch (IOException | RuntimeException e) {
      error = e;
      throw e;
    } finally {
      int status = exchange.getResponseCode();
      telemetry.end(context, method, status < 0 ? 500 : status, System.nanoTime() - start, error);
    }
  }

  private static void forbid(HttpExchange exchange, String reason) throws IOException {
    byte[] body = reason.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(403, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public String description() {
    return "Weft mesh server filter: trace context, metrics and authorization";
  }

  /** Builds a {@link MeshHttpServerFilter}. */
  public static final class Builder extends FilterBuilder<Builder> {
    private Builder(String service) {
      super(service);
    }

    @Override
    Builder self() {
      return this;
    }

    public MeshHttpServerFilter build() {
      return new MeshHttpServerFilter(telemetry(), enforcer);
    }
  }
}
