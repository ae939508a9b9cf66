package dev.weft.mesh.security;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.runtime.Ticker;
import dev.weft.mesh.api.security.PathNormalization;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server-side authorization step every protocol hook calls: reads the caller's identity, asks
 * the {@link Authorizer}, audits the decision, counts it, and returns it. A gRPC interceptor turns
 * a denial into {@code PERMISSION_DENIED}, an HTTP filter into {@code 403}; neither needs more
 * logic than that.
 *
 * <pre>{@code
 * Decision d = enforcer.enforce(exchange.getSSLSession(), path, method, headers);
 * if (d.denied()) { respond 403 with d.reason(); return; }
 * }</pre>
 *
 * <p>Thread-safe. The authorizer can be replaced at any time ({@link #update}) when policies
 * change; each request sees one authorizer, whole. Audit or metrics failures never fail a request:
 * they are logged once.
 *
 * <p>Metrics (when a registry is given): counter {@value #METRIC} with tags {@code action} (the
 * matching policy's action: {@code allow}, {@code deny}, or {@code none}) and {@code result}
 * ({@code allow} or {@code deny}).
 */
public final class AuthorizationEnforcer {
  /** The decision counter's name. */
  public static final String METRIC = "weft.authz.decisions";

  private static final Logger log = LoggerFactory.getLogger(AuthorizationEnforcer.class);

  /** What a request is checked with, swapped whole so that a request sees one consistent set. */
  private record Rules(
      Authorizer authorizer, PathNormalizer normalizer, JwtAuthenticator authenticator) {}

  private volatile Rules rules;
  private final AuditSink sink;
  private final Ticker ticker;
  private final KeySets keySets;

  /** Indexed by {@link Decision.Basis#ordinal()}; null when there is no registry. */
  private final Counter[] counters;

  private final AtomicBoolean sinkFailureLogged = new AtomicBoolean();

  private AuthorizationEnforcer(Builder b) {
    this.rules = new Rules(b.authorizer, PathNormalizer.defaults(), JwtAuthenticator.none());
    this.sink = b.sink;
    this.ticker = b.ticker;
    this.keySets = b.keySets == null ? KeySets.create() : b.keySets;
    this.counters = b.registry == null ? null : counters(b.registry);
  }

  private static Counter[] counters(MeterRegistry registry) {
    Counter[] c = new Counter[Decision.Basis.values().length];
    c[Decision.Basis.DENY_POLICY.ordinal()] = counter(registry, "deny", "deny");
    c[Decision.Basis.ALLOW_POLICY.ordinal()] = counter(registry, "allow", "allow");
    c[Decision.Basis.NO_POLICIES.ordinal()] = counter(registry, "none", "allow");
    c[Decision.Basis.NO_ALLOW_MATCH.ordinal()] = counter(registry, "none", "deny");
    c[Decision.Basis.INVALID_REQUEST.ordinal()] = counter(registry, "none", "invalid");
    c[Decision.Basis.UNAUTHENTICATED.ordinal()] = counter(registry, "none", "unauthenticated");
    return c;
  }

  private static Counter counter(MeterRegistry registry, String action, String result) {
    return Counter.builder(METRIC)
        .description("Authorization decisions on incoming requests")
        .tag("action", action)
        .tag("result", result)
        .register(registry);
  }

  /**
   * Starts an enforcer; by default it allows everything and audits to the {@code weft.audit}
   * logger.
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Replaces the authorizer (after a policy change); requests already being decided finish with the
   * old one.
   */
  public void update(Authorizer next) {
    requireNonNull(next, "next");
    Rules now = rules;
    rules = new Rules(next, now.normalizer(), now.authenticator());
  }

  /**
   * Replaces the authorizer and how HTTP paths are normalized before they are checked, together
   * (after a configuration change); the default normalization is {@link PathNormalization#DEFAULT}.
   */
  public void update(Authorizer next, PathNormalization normalization) {
    requireNonNull(next, "next");
    rules =
        new Rules(
            next,
            PathNormalizer.of(requireNonNull(normalization, "normalization")),
            rules.authenticator());
  }

  /**
   * Replaces everything a request is checked with, together, from a configuration: the
   * authorization policies, path normalization and request authentications that apply to {@code
   * service}. Key sets of issuers that stay in the configuration are kept, not fetched again.
   */
  public void update(MeshConfig config, String service) {
    requireNonNull(config, "config");
    requireNonNull(service, "service");
    JwtAuthenticator authenticator =
        JwtAuthenticator.of(config.requestAuthentications(), service, keySets, ticker);
    keySets.retain(config.requestAuthentications());
    rules =
        new Rules(
            Authorizer.forService(config.authorizationPolicies(), service),
            PathNormalizer.of(config.pathNormalization()),
            authenticator);
  }

  /** The request authentication in force. */
  public JwtAuthenticator authenticator() {
    return rules.authenticator();
  }

  /** The authorizer in force. */
  public Authorizer authorizer() {
    return rules.authorizer();
  }

  /** How HTTP paths are normalized before they are checked. */
  public PathNormalizer normalizer() {
    return rules.normalizer();
  }

  /**
   * Decides {@code request} as it is, audits and counts the decision, and returns it. Its path is
   * checked as given: HTTP servers call {@link #enforceHttp}, which normalizes it first.
   */
  public Decision enforce(AuthorizationRequest request) {
    return decide(rules.authorizer(), request);
  }

  private Decision decide(Authorizer authorizer, AuthorizationRequest request) {
    Decision decision = authorizer.authorize(request);
    audit(request, decision);
    return decision;
  }

  /**
   * Decides a request that arrived on {@code session} (null or without a peer certificate for an
   * unauthenticated caller), with the server's own reading of the path unknown; see {@link
   * #enforceHttp}.
   */
  public Decision enforce(SSLSession session, String path, String method, RequestHeaders headers) {
    return enforceHttp(PeerIdentity.from(session), path, null, method, headers);
  }

  /**
   * Decides an HTTP request: refuses it as {@linkplain Decision#invalid invalid} (answer 400) when
   * its method is not an upper-case token or its path has no single reading, and otherwise checks
   * the policies against the normalized path, the one the server routes.
   *
   * @param rawPath the path as it arrived, still percent-encoded (a query is ignored)
   * @param routedPath the path as the server decoded and resolved it to pick a handler, or null
   *     when unknown; when given, a normalized path that does not decode to it is refused, so a
   *     policy is never checked against a path other than the one the handler serves
   * @param method the request method as it arrived
   */
  public Decision enforceHttp(
      Optional<PeerIdentity> caller,
      String rawPath,
      String routedPath,
      String method,
      RequestHeaders headers) {
    return checkHttp(caller, rawPath, null, routedPath, method, headers).decision();
  }

  /**
   * Checks an HTTP request whole: refuses it as {@linkplain Decision#invalid invalid} (400) as
   * {@link #enforceHttp} does, then verifies its end-user token (401 when a token is not valid),
   * then decides the policies with the request principal; and says what the server must change in
   * the request's headers before the application sees them.
   *
   * @param rawQuery the query, still percent-encoded, or null; tokens may be read from it
   */
  public Enforcement checkHttp(
      Optional<PeerIdentity> caller,
      String rawPath,
      String rawQuery,
      String routedPath,
      String method,
      RequestHeaders headers) {
    Rules now = rules;
    String problem = HttpRequestChecks.methodProblem(method);
    String path = rawPath;
    if (problem == null) {
      try {
        path = now.normalizer().normalize(rawPath);
        if (routedPath != null && !PathNormalizer.decode(path).equals(routedPath)) {
          problem =
              "the server reads the path "
                  + PathNormalizer.printable(rawPath)
                  + " as "
                  + PathNormalizer.printable(routedPath)
                  + ", not as its normal form "
                  + PathNormalizer.printable(path);
        }
      } catch (PathNormalizer.RejectedPathException e) {
        problem = e.getMessage();
      }
    }
    AuthorizationRequest request =
        new AuthorizationRequest(caller, problem == null ? path : rawPath, method, headers);
    if (problem != null) {
      Decision decision = Decision.invalid("bad request: " + problem);
      audit(request, decision);
      return Enforcement.refused(decision);
    }
    return authenticateAndDecide(now, request, headers, rawQuery);
  }

  private Enforcement authenticateAndDecide(
      Rules now, AuthorizationRequest request, RequestHeaders headers, String rawQuery) {
    JwtAuthenticator.Result auth = now.authenticator().authenticate(headers, rawQuery);
    if (auth.refused()) {
      Decision decision = Decision.unauthenticated("unauthenticated: " + auth.problem());
      audit(request, decision);
      return Enforcement.refused(decision);
    }
    AuthorizationRequest withUser =
        auth.principal().isEmpty() ? request : request.withRequestPrincipal(auth.principal());
    Decision decision = decide(now.authorizer(), withUser);
    return new Enforcement(decision, auth.principal(), auth.removeHeaders(), auth.setHeaders());
  }

  /**
   * Refuses a request as {@linkplain Decision#invalid invalid} for {@code problem} (a reason found
   * by the protocol hook, such as a method override), audited and counted like every decision.
   */
  public Decision refuse(
      Optional<PeerIdentity> caller,
      String path,
      String method,
      RequestHeaders headers,
      String problem) {
    Decision decision = Decision.invalid("bad request: " + problem);
    audit(new AuthorizationRequest(caller, path, method, headers), decision);
    return decision;
  }

  /** Decides a gRPC call to {@code fullMethodName} ({@code package.Service/Method}). */
  public Decision enforceGrpc(
      Optional<PeerIdentity> caller, String fullMethodName, RequestHeaders metadata) {
    return checkGrpc(caller, fullMethodName, metadata).decision();
  }

  /**
   * Checks a gRPC call whole: verifies its end-user token (from metadata), then decides the
   * policies with the request principal; and says what the server must change in the call's
   * metadata before the application sees it.
   */
  public Enforcement checkGrpc(
      Optional<PeerIdentity> caller, String fullMethodName, RequestHeaders metadata) {
    return authenticateAndDecide(
        rules, AuthorizationRequest.grpc(caller, fullMethodName, metadata), metadata, null);
  }

  /**
   * The whole result of checking a request: the decision, the end user when a token was verified,
   * and the changes the server makes to the request's headers before the application sees them
   * (remove first, then set).
   *
   * @param decision whether the request proceeds, and why
   * @param requestPrincipal the end user from a verified token
   * @param removeHeaders headers (lower case) to remove: those verified claims are copied into,
   *     whatever the caller sent, and the token's header unless its rule forwards it
   * @param setHeaders headers (lower case) to set from verified claims
   */
  public record Enforcement(
      Decision decision,
      Optional<RequestPrincipal> requestPrincipal,
      List<String> removeHeaders,
      Map<String, String> setHeaders) {

    public Enforcement {
      requireNonNull(decision, "decision");
      requireNonNull(requestPrincipal, "requestPrincipal");
      removeHeaders = List.copyOf(removeHeaders);
      setHeaders = Map.copyOf(setHeaders);
    }

    static Enforcement refused(Decision decision) {
      return new Enforcement(decision, Optional.empty(), List.of(), Map.of());
    }

    /** Whether the server must change the request's headers before the application sees them. */
    public boolean changesHeaders() {
      return !removeHeaders.isEmpty() || !setHeaders.isEmpty();
    }

    /**
     * The request's headers as the application must see them: {@code original} with {@link
     * #removeHeaders} removed and {@link #setHeaders} set, in a new map whose names compare without
     * regard to case.
     */
    public Map<String, List<String>> editedHeaders(Map<String, List<String>> original) {
      Map<String, List<String>> out = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      original.forEach(
          (name, values) -> {
            if (name != null) {
              out.computeIfAbsent(name, n -> new java.util.ArrayList<>()).addAll(values);
            }
          });
      removeHeaders.forEach(out::remove);
      setHeaders.forEach((name, value) -> out.put(name, List.of(value)));
      return out;
    }
  }

  private void audit(AuthorizationRequest request, Decision decision) {
    try {
      if (counters != null) {
        counters[decision.basis().ordinal()].increment();
      }
      sink.record(
          new AuditEvent(
              Instant.ofEpochMilli(ticker.currentTimeMillis()),
              request.callerId(),
              request.method(),
              request.path(),
              decision));
    } catch (RuntimeException e) {
      if (sinkFailureLogged.compareAndSet(false, true)) {
        log.error(
            "auditing an authorization decision failed; requests proceed as decided (logged once)",
            e);
      }
    }
  }

  /** Configures an {@link AuthorizationEnforcer}. */
  public static final class Builder {
    private Authorizer authorizer = Authorizer.allowAll();
    private AuditSink sink = AuditSink.logger();
    private Ticker ticker = Ticker.system();
    private MeterRegistry registry;
    private KeySets keySets;

    private Builder() {}

    /**
     * Where issuers' key sets come from (default: {@link KeySets#create()}, fetched with the JDK's
     * trust store).
     */
    public Builder keySets(KeySets keySets) {
      this.keySets = requireNonNull(keySets, "keySets");
      return this;
    }

    /** The policies to enforce (default: none, so everything is allowed). */
    public Builder authorizer(Authorizer authorizer) {
      this.authorizer = requireNonNull(authorizer, "authorizer");
      return this;
    }

    /**
     * Where decisions go (default: {@link AuditSink#logger()}). To keep the log and add a sink,
     * pass {@code AuditSink.logger().andThen(mySink)}.
     */
    public Builder auditSink(AuditSink sink) {
      this.sink = requireNonNull(sink, "sink");
      return this;
    }

    /** The clock that stamps audit events (default: the system clock). */
    public Builder ticker(Ticker ticker) {
      this.ticker = requireNonNull(ticker, "ticker");
      return this;
    }

    /** Counts decisions in {@code registry} (default: no metrics). */
    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = requireNonNull(registry, "registry");
      return this;
    }

    /** Builds the enforcer; its counters are registered now, if a registry was given. */
    public AuthorizationEnforcer build() {
      return new AuthorizationEnforcer(this);
    }
  }
}
