package dev.weft.mesh.http.server;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
import dev.weft.mesh.security.AuthorizationEnforcer;
import dev.weft.mesh.security.Decision;
import dev.weft.mesh.security.PeerIdentity;
import dev.weft.mesh.security.RequestPrincipal;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
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
 * <p>With authorization, the request's path is normalized first ({@link
 * dev.weft.mesh.security.PathNormalizer}): a path or method with no single reading, or a path the
 * server would route other than as its normal form ({@code /a/../admin}, {@code //admin}), is
 * answered {@code 400}; a request whose end-user token a request authentication refuses is answered
 * {@code 401} with {@code WWW-Authenticate: Bearer}; a denied request is answered {@code 403} with
 * a {@code text/plain} body that does not name the policy (the audit log does). Either way the
 * handler is not called. Handlers read the caller with {@link #peerIdentity(HttpExchange)}.
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

  /**
   * The end user of {@code exchange}, when this filter verified a token on it; empty for a request
   * without one. (The handler's exchange is then this filter's: its request headers no longer have
   * the token's header, unless forwarded, and have the claims a rule copies into headers; {@code
   * getPrincipal()} answers the token's subject and issuer as user name and realm.)
   */
  public static Optional<RequestPrincipal> requestPrincipal(HttpExchange exchange) {
    return exchange instanceof AuthenticatedExchange a ? a.requestPrincipal() : Optional.empty();
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
      HttpExchange forward = exchange;
      if (enforcer != null) {
        URI uri = exchange.getRequestURI();
        // The JDK server picks the handler by the decoded path: the policy is checked against the
        // normalized path only when that decodes to the very same path.
        AuthorizationEnforcer.Enforcement checked =
            enforcer.checkHttp(
                peerIdentity(exchange),
                uri.getRawPath() == null ? "" : uri.getRawPath(),
                uri.getRawQuery(),
                uri.getPath() == null ? "" : uri.getPath(),
                method,
                name -> {
                  List<String> values = exchange.getRequestHeaders().get(name);
                  return values == null ? List.of() : values;
                });
        Decision decision = checked.decision();
        if (decision.denied()) {
          if (decision.unauthenticated()) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer error=\"invalid_token\"");
          }
          refuse(exchange, decision.httpStatus(), decision.publicReason());
          return;
        }
        if (checked.changesHeaders() || checked.requestPrincipal().isPresent()) {
          forward = new AuthenticatedExchange(exchange, checked);
        }
      }
      chain.doFilter(forward);
    } catch (IOException | RuntimeException e) {
      error = e;
      throw e;
    } finally {
      int status = exchange.getResponseCode();
      telemetry.end(context, method, status < 0 ? 500 : status, System.nanoTime() - start, error);
    }
  }

  private static void refuse(HttpExchange exchange, int status, String reason) throws IOException {
    byte[] body = reason.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, body.length);
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
