package dev.weft.mesh.api.config;

/**
 * Health of an endpoint as reported by its config source (Envoy's {@code HealthStatus}). Outlier
 * detection is separate: it ejects endpoints from what Weft observes, whatever the source says.
 */
public enum HealthStatus {
  /** Health not reported; treated as healthy (as Envoy and gRPC do). */
  UNKNOWN,
  HEALTHY,
  UNHEALTHY,
  /** Being removed: receives no new calls. */
  DRAINING,
  /** Health check timed out: treated as unhealthy. */
  TIMEOUT,
  /** Serving but impaired: used only when not enough healthy endpoints remain. */
  DEGRADED;

  /** Whether new calls may be sent to an endpoint with this status in normal operation. */
  public boolean isServing() {
    return this == UNKNOWN || this == HEALTHY;
  }
}
