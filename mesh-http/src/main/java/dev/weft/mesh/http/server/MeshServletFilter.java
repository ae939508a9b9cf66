package dev.weft.mesh.http.server;

import dev.weft.mesh.security.AuthorizationEnforcer;
import dev.weft.mesh.security.Decision;
import dev.weft.mesh.security.PeerIdentity;
import dev.weft.mesh.security.RequestHeaders;
import dev.weft.mesh.security.RequestPrincipal;
import dev.weft.mesh.security.tls.WorkloadTls;
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
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Jakarta Servlet filter that continues the caller's trace, makes the server span current for the
 * rest of the chain, and measures each request. Needs {@code jakarta.servlet-api} 6 on the class
 * path (an optional dependency of mesh-http). Asynchronous requests are measured until the filter
 * chain returns.
 *
 * <p>The caller's identity comes from the container's client certificate attribute ({@code
 * jakarta.servlet.request.X509Certificate}, set when the connector does mutual TLS), only on a
 * secure request and only when the chain verifies against the workload's trust bundle ({@link
 * Builder#workloadTls}); it is put in the request attribute {@value #PEER_IDENTITY_ATTRIBUTE} for
 * the rest of the chain, and an attribute of that name set before this filter is removed.
 *
 * <p>With {@link Builder#authorization}, the path checked is the one the container dispatches: the
 * path inside the application, normalized, and only when it decodes to the container's own servlet
 * path and path info (an INCLUDE is checked on the included path). A request the container could
 * read in another way, or one that asks to override its method ({@code X-HTTP-Method-Override} and
 * its variants, or a {@code _method} parameter on a form POST, which Spring's {@code
 * HiddenHttpMethodFilter} would honour), is answered {@code 400}; a denied request {@code 403},
 * with a {@code text/plain} body that does not name the policy; a request whose end-user token a
 * request authentication refuses {@code 401} with {@code WWW-Authenticate: Bearer}. A verified
 * token's end user is in {@value #REQUEST_PRINCIPAL_ATTRIBUTE} and {@code getUserPrincipal()}; the
 * token's header (unless forwarded) and any header claims are copied into are removed from what the
 * application sees, so a caller cannot supply them. Register the filter first and for every
 * dispatcher type (the starter does), so that what it checks is the request as it came from the
 * network, and forwards, includes, async and error dispatches are checked too.
 */
public final class MeshServletFilter implements Filter {
  /**
   * The request attribute holding the end user's {@link RequestPrincipal}, when a token was
   * verified; {@code getUserPrincipal()} answers it too.
   */
  public static final String REQUEST_PRINCIPAL_ATTRIBUTE =
      "dev.weft.mesh.security.RequestPrincipal";

  /** The request attribute holding the caller's {@link PeerIdentity}, when it has one. */
  public static final String PEER_IDENTITY_ATTRIBUTE = "dev.weft.mesh.security.PeerIdentity";

  /** The Servlet specification's attribute for the client's certificate chain. */
  private static final String CLIENT_CERTIFICATES = "jakarta.servlet.request.X509Certificate";

  private static final Logger log = LoggerFactory.getLogger(MeshServletFilter.class);

  private final ServerTelemetry telemetry;
  private final AuthorizationEnforcer enforcer;
  private final X509ExtendedTrustManager verifier;
  private final AtomicBoolean unverifiableLogged = new AtomicBoolean();

  private MeshServletFilter(
      ServerTelemetry telemetry,
      AuthorizationEnforcer enforcer,
      X509ExtendedTrustManager verifier) {
    this.telemetry = telemetry;
    this.enforcer = enforcer;
    this.verifier = verifier;
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
      // whatever ran before this filter cannot hand the application an identity
      request.removeAttribute(PEER_IDENTITY_ATTRIBUTE);
      Optional<PeerIdentity> caller = verifiedCaller(http);
      caller.ifPresent(p -> request.setAttribute(PEER_IDENTITY_ATTRIBUTE, p));
      request.removeAttribute(REQUEST_PRINCIPAL_ATTRIBUTE);
      ServletRequest forward = request;
      if (enforcer != null) {
        HttpServletRequest asReceived = AuthenticatedRequest.asReceived(http);
        AuthorizationEnforcer.Enforcement checked = authorize(http, asReceived, caller, method);
        Decision decision = checked.decision();
        if (decision.denied()) {
          if (decision.unauthenticated()) {
            httpResponse.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
          }
          httpResponse.setStatus(decision.httpStatus());
          httpResponse.setContentType("text/plain");
          httpResponse.setCharacterEncoding(StandardCharsets.UTF_8.name());
          httpResponse.getWriter().write(decision.publicReason());
          return;
        }
        if (checked.changesHeaders() || checked.requestPrincipal().isPresent()) {
          forward = new AuthenticatedRequest(http, asReceived, checked);
        }
        checked
            .requestPrincipal()
            .ifPresent(p -> request.setAttribute(REQUEST_PRINCIPAL_ATTRIBUTE, p));
      }
      chain.doFilter(forward, response);
    } catch (IOException | ServletException | RuntimeException e) {
      error = e;
      throw e;
    } finally {
      int status = error != null && httpResponse.getStatus() < 400 ? 500 : httpResponse.getStatus();
      telemetry.end(context, method, status, System.nanoTime() - start, error);
    }
  }

  /**
   * Checks the request as the container dispatches it: the path inside the application (context
   * path and {@code ;} path parameters removed), normalized, and refused unless it decodes to the
   * container's own servlet path and path info; for an INCLUDE, the included path.
   */
  private AuthorizationEnforcer.Enforcement authorize(
      HttpServletRequest http,
      HttpServletRequest asReceived,
      Optional<PeerIdentity> caller,
      String method) {
    // tokens and headers as they came from the network, also on a forward or include after this
    // filter removed the token and claim headers for the application
    RequestHeaders headers =
        name -> {
          Enumeration<String> values = asReceived.getHeaders(name);
          return values == null ? List.of() : Collections.list(values);
        };
    String override = ServletPaths.methodOverride(http);
    if (override != null) {
      return invalid(caller, http, method, headers, override);
    }
    ServletPaths.Dispatch d = ServletPaths.of(http);
    if (d.problem() != null) {
      return invalid(caller, http, method, headers, d.problem());
    }
    return enforcer.checkHttp(
        caller,
        d.rawPathInApplication(),
        asReceived.getQueryString(),
        d.routedPath(),
        method,
        headers);
  }

  private AuthorizationEnforcer.Enforcement invalid(
      Optional<PeerIdentity> caller,
      HttpServletRequest http,
      String method,
      RequestHeaders headers,
      String problem) {
    return new AuthorizationEnforcer.Enforcement(
        enforcer.refuse(caller, http.getRequestURI(), method, headers, problem),
        Optional.empty(),
        List.of(),
        java.util.Map.of());
  }

  /**
   * The end user of {@code request}, as this filter recorded it from a verified token; empty for a
   * request without one.
   */
  public static Optional<RequestPrincipal> requestPrincipal(ServletRequest request) {
    return request.getAttribute(REQUEST_PRINCIPAL_ATTRIBUTE) instanceof RequestPrincipal p
        ? Optional.of(p)
        : Optional.empty();
  }

  /**
   * The caller's identity, only from a TLS connection this filter can vouch for: the request is
   * secure, and the certificate chain the container reports verifies against the workload's trust
   * bundle now (so a certificate attribute set from a header by a valve or an earlier filter is
   * never an identity). Without {@link Builder#workloadTls} no caller has an identity.
   */
  private Optional<PeerIdentity> verifiedCaller(HttpServletRequest http) {
    if (!(http.getAttribute(CLIENT_CERTIFICATES) instanceof X509Certificate[] chain)
        || chain.length == 0) {
      return Optional.empty();
    }
    if (verifier == null) {
      if (unverifiableLogged.compareAndSet(false, true)) {
        log.warn(
            "a request carries a client certificate but the Weft servlet filter has no workload trust"
                + " bundle to verify it against (MeshServletFilter.Builder.workloadTls): callers get"
                + " no identity (logged once)");
      }
      return Optional.empty();
    }
    if (!http.isSecure()) {
      return Optional.empty();
    }
    try {
      verifier.checkClientTrusted(chain.clone(), chain[0].getPublicKey().getAlgorithm());
    } catch (CertificateException | RuntimeException e) {
      return Optional.empty();
    }
    return PeerIdentity.from(chain);
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

    private X509ExtendedTrustManager verifier;

    /**
     * Verifies the client certificates the container reports against this workload's trust bundle
     * (SPIFFE ID shape, trust domains, the bundle in force), so that only a caller whose chain
     * verifies gets an identity. Without it no caller has one.
     */
    public Builder workloadTls(WorkloadTls tls) {
      this.verifier = tls.clientVerifier();
      return this;
    }

    public MeshServletFilter build() {
      return new MeshServletFilter(telemetry(), enforcer, verifier);
    }
  }
}
