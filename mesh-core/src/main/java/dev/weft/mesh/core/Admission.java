package dev.weft.mesh.core;

import dev.weft.mesh.api.MeshException;

/**
 * The checks that let a call, or one more attempt of it, go ahead: the route's local rate limit,
 * the cluster's concurrent-request limit, and for a retry or hedge the concurrent-retry limit and
 * the retry budget. Stateless; every check is lock-free and refuses at once instead of queueing.
 */
final class Admission {

  /** Null when the route's local rate limit lets the call through, else the call's failure. */
  static MeshException rateLimit(CompiledRoute route) {
    if (route.rateLimiter == null || route.rateLimiter.tryAcquire()) {
      return null;
    }
    return new MeshException(
        MeshException.Reason.RATE_LIMITED,
        "route '"
            + route.name()
            + "' of service '"
            + route.service
            + "' is over its local rate limit");
  }

  /**
   * Takes one of the cluster's concurrent requests and counts the call for its retry budget: null
   * when taken (give it back with {@code releaseRequest} when the call ends), else the call's
   * failure.
   */
  static MeshException admit(ClusterState cluster) {
    if (!cluster.limits().tryAcquireRequest()) {
      return new MeshException(
          MeshException.Reason.CIRCUIT_OPEN,
          "cluster '"
              + cluster.name()
              + "' has reached its limit of "
              + cluster.config().circuitBreakers().maxRequests()
              + " concurrent requests");
    }
    cluster.retryBudget().onCall();
    return null;
  }

  /**
   * A permit for one retry or hedge, or null when the concurrent-retry limit or the budget refuses.
   */
  static RetryPermit retry(CompiledRoute route, ClusterState cluster, boolean hedge) {
    // The concurrency limit first: a retry it refuses must not spend the budget.
    RetryPermit permit = RetryPermit.tryAcquire(cluster.limits());
    if (permit == null) {
      return null;
    }
    if (!cluster.retryBudget().tryWithdraw()) {
      permit.release();
      route.metrics.budgetExhausted(cluster.name());
      return null;
    }
    if (hedge) {
      route.metrics.hedge(cluster.name());
    } else {
      route.metrics.retry(cluster.name());
    }
    return permit;
  }

  private Admission() {}
}
