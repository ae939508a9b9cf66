package dev.weft.mesh.api.spi;

import dev.weft.mesh.api.config.Endpoint;

/**
 * The mesh's live view of one endpoint, as load balancers see it. Its counters change while calls
 * run; reading them takes no lock.
 */
public interface LbEndpoint {

  /** The endpoint as configured. */
  Endpoint endpoint();

  /**
   * The weight to balance with now: the configured weight, reduced while the endpoint is in slow
   * start. At least 1.
   */
  int weight();

  /** Calls in flight to this endpoint now. */
  int activeRequests();

  /**
   * Peak-EWMA latency in nanoseconds (Finagle's and Linkerd's cost estimate): rises at once to a
   * slow response, decays toward fast ones over time. A fresh endpoint has no estimate: zero.
   */
  double peakEwmaNanos();
}
