package dev.weft.mesh.http.server;

import dev.weft.mesh.security.AuthorizationEnforcer;
import dev.weft.mesh.security.AuthorizationRequest;
import dev.weft.mesh.security.Decision;
import dev.weft.mesh.security.PeerIdentity;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;

/**
 * A Jakarta Servlet filter that continues the caller's trace, makes the server span current for the
 * rest of the chain, and measures each request. Needs {@code jakarta.servlet-api} 6 on the class
 * path (an optional dependency of mesh-http). Asynchronous requests are measured until the filter
 * chain returns.
 *
 * <p>The caller's identity comes from the container's client certificate attribute ({@code
 * jakarta.servlet.request.X509Certificate}, set when the connector does mutual TLS) and is put in
 * the request attribute {@value #PEER_IDENTITY_ATTRIBUTE} for the rest of the chain. With {@link
 * Builder#authorization}, a denied request is answered {@code 403} with the decision's reason as a
 * {@code text/plain} body, and the rest of the chain is not called.
 */
public final class MeshServletFilter implements Filter {
  /** The request attribute holding the caller's {@link PeerIdentity}, when it has one. */
  public static final String PEER_IDENTITY_ATTRIBUTE = "dev.weft.mesh.security.PeerIdentity";

  /** The Servlet specification's attribute for the client's certificate chain. */
  private static final String CLIENT_CERTIFICATES = "jakarta.servlet.request.X509Certificate";

  private final ServerTelemetry telemetry;
  private final AuthorizationEnforcer enforcer;

  private MeshServletFilter(ServerTelemetry telemetry, AuthorizationEnforcer enforcer) {
    this.telemetry = telemetry;
    this.enforcer = enforcer;
  }

  /** The verified identity of the caller, as this filter recorded it on {@code request}. */
  public static Optional<PeerIdentity> peerIdentity(ServletRequest request) {
    return request.getAttribute(PEER_IDENTITY_ATTRIBUTE) instanceof PeerIdentity p
        ? Optional.of(p)
        : Optional.empty();
  }

  /** A builder for the filter of the service {@code service} (a tag on its metrics). */
  public static Builder builder(String service) {
    return new Builder(service);
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!(request instanceof HttpServletRequest http)
        || !(response instanceof HttpServletResponse httpResponse)) {
      chain.doFilter(request, response);
      return;
    }
    String method = http.getMethod();
    long start = System.nanoTime();
    Context context = telemetry.start(method, http.getRequestURI(), http::getHeader);
    Throwable error = null;
    try (Scope ignored = context.makeCurrent()) {
      Optional<PeerIdentity> caller =
          request.getAttribute(CLIENT_CERTIFICATES) instanceof Certificate[] chainOfCaller
              ? PeerIdentity.from(chainOfCaller)
              : Optional.empty();
      caller.ifPresent(p -> request.setAttribute(PEER_IDENTITY_ATTRIBUTE, p));
      if (enforcer != null) {
        Decision decision =
            enforcer.enforce(
                new AuthorizationRequest(
                    caller,
                    http.getRequestURI(),
                    method,
                    name -> {
                      Enumeration<String> values = http.getHeaders(name);
                      return values == null ? List.of() : Collections.list(values);
                    }));
        if (decision.denied()) {
          httpResponse.setStatus(HttpServletResponse.SC_FORBIDDEN);
          httpResponse.setContentType("text/plain");
          httpResponse.setCharacterEncoding(StandardCharsets.UTF_8.name());
          httpResponse.getWriter().write(decision.reason());
          return;
        }
      }
      chain.doFilter(request, response);
    } catch (IOException | ServletException | RuntimeException e) {
      error = e;
      throw e;
    } finally {
      int status = error != null && httpResponse.getStatus() < 400 ? 500 : httpResponse.getStatus();
      telemetry.end(context, method, status, System.nanoTime() - start, error);
    }
  }

  /** Builds a {@link MeshServletFilter}. */
  public static final class Builder extends FilterBuilder<Builder> {
    private Builder(String service) {
      super(service);
    }

    @Override
    Builder self() {
      return this;
    }

    public MeshServletFilter build() {
      return new MeshServletFilter(telemetry(), enforcer);
    }
  }
}
