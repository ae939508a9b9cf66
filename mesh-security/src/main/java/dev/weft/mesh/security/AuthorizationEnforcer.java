package dev.weft.mesh.security;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.runtime.Ticker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
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

  private volatile Authorizer authorizer;
  private final AuditSink sink;
  private final Ticker ticker;

  /** Indexed by {@link Decision.Basis#ordinal()}; null when there is no registry. */
  private final Counter[] counters;

  private final AtomicBoolean sinkFailureLogged = new AtomicBoolean();

  private AuthorizationEnforcer(Builder b) {
    this.authorizer = b.authorizer;
    this.sink = b.sink;
    this.ticker = b.ticker;
    this.counters = b.registry == null ? null : counters(b.registry);
  }

  private static Counter[] counters(MeterRegistry registry) {
    Counter[] c = new Counter[Decision.Basis.values().length];
    c[Decision.Basis.DENY_POLICY.ordinal()] = counter(registry, "deny", "deny");
    c[Decision.Basis.ALLOW_POLICY.ordinal()] = counter(registry, "allow", "allow");
    c[Decision.Basis.NO_POLICIES.ordinal()] = counter(registry, "none", "allow");
    c[Decision.Basis.NO_ALLOW_MATCH.ordinal()] = counter(registry, "none", "deny");
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
    this.authorizer = requireNonNull(next, "next");
  }

  /** The authorizer in force. */
  public Authorizer authorizer() {
    return authorizer;
  }

  /** Decides {@code request}, audits and counts the decision, and returns it. */
  public Decision enforce(AuthorizationRequest request) {
    Decision decision = authorizer.authorize(request);
    audit(request, decision);
    return decision;
  }

  /**
   * Decides a request that arrived on {@code session} (null or without a peer certificate for an
   * unauthenticated caller).
   */
  public Decision enforce(SSLSession session, String path, String method, RequestHeaders headers) {
    return enforce(new AuthorizationRequest(PeerIdentity.from(session), path, method, headers));
  }

  /** Decides a gRPC call to {@code fullMethodName} ({@code package.Service/Method}). */
  public Decision enforceGrpc(
      Optional<PeerIdentity> caller, String fullMethodName, RequestHeaders metadata) {
    return enforce(AuthorizationRequest.grpc(caller, fullMethodName, metadata));
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

    private Builder() {}

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
