package dev.weft.mesh.api.config;

import dev.weft.mesh.api.internal.Checks;

/**
 * Limits that protect a cluster from overload (Envoy's circuit-breaker thresholds, gRFC A32). A
 * call over a limit fails at once instead of queueing.
 *
 * @param maxConnections the most connections to all endpoints of the cluster
 * @param maxPendingRequests the most calls waiting for a connection
 * @param maxRequests the most calls in flight to the cluster at once
 * @param maxRetries the most retries and hedged attempts in flight at once (the retry budget limits
 *     their rate as well)
 */
public record CircuitBreakers(
    int maxConnections, int maxPendingRequests, int maxRequests, int maxRetries) {
  public static final int DEFAULT_LIMIT = 1024;

  /** Envoy's defaults: 1024 for each limit. */
  public static final CircuitBreakers DEFAULT =
      new CircuitBreakers(DEFAULT_LIMIT, DEFAULT_LIMIT, DEFAULT_LIMIT, DEFAULT_LIMIT);

  public CircuitBreakers {
    Checks c = Checks.start();
    c.require(maxConnections >= 1, "maxConnections", "must be at least 1, was %d", maxConnections);
    c.require(
        maxPendingRequests >= 0,
        "maxPendingRequests",
        "must not be negative, was %d",
        maxPendingRequests);
    c.require(maxRequests >= 1, "maxRequests", "must be at least 1, was %d", maxRequests);
    c.require(maxRetries >= 0, "maxRetries", "must not be negative, was %d", maxRetries);
    c.throwIfAny();
  }
}
