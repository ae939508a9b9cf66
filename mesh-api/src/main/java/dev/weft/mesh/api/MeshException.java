package dev.weft.mesh.api;

import static java.util.Objects.requireNonNull;

/**
 * A call failed inside the mesh, before or instead of reaching a server: the service is unknown, no
 * endpoint can take the call, a limit refused it, or a fault was injected. gRPC callers see these
 * as {@code UNAVAILABLE} (an injected abort as its configured status); HTTP callers get this
 * exception.
 */
public class MeshException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Reason reason;

  public MeshException(Reason reason, String message) {
    this(reason, message, null);
  }

  public MeshException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = requireNonNull(reason, "reason");
  }

  /** Why the mesh failed the call. */
  public Reason reason() {
    return reason;
  }

  /** Why the mesh failed a call. */
  public enum Reason {
    /** The configuration knows no service of that name. */
    UNKNOWN_SERVICE,
    /** The service has no route that matches the call. */
    NO_ROUTE,
    /** The cluster has no endpoints configured. */
    NO_ENDPOINTS,
    /** Every endpoint is unhealthy according to the config source. */
    ALL_UNHEALTHY,
    /** Every endpoint is ejected by outlier detection. */
    ALL_EJECTED,
    /**
     * The cluster's circuit-breaker limit on concurrent calls is reached, or a call guard that the
     * route or cluster names refused the call: an open Resilience4j circuit breaker or a full
     * bulkhead, whose exception is then the cause.
     */
    CIRCUIT_OPEN,
    /**
     * The route's local rate limit refused the call, or a Resilience4j rate limiter that the route
     * or cluster names did (its exception is then the cause).
     */
    RATE_LIMITED,
    /** Retrying was called for but the cluster's retry budget is spent. */
    BUDGET_EXHAUSTED,
    /** A configured fault injection aborted the call. */
    FAULT_INJECTED,
    /** The call's deadline passed before an attempt could be made. */
    DEADLINE_EXCEEDED,
    /** The caller cancelled the call. */
    CANCELLED,
    /** No configuration has been loaded yet, or the mesh is closed. */
    NOT_READY,
    /** The mesh or a protocol adapter failed unexpectedly; the cause says how. */
    INTERNAL_ERROR
  }
}
