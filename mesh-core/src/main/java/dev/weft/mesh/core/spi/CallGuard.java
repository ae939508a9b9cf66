package dev.weft.mesh.core.spi;

import dev.weft.mesh.api.MeshException;

/**
 * A protection that the engine consults around each call of a route, or each call to a cluster,
 * whose configuration names one (for example the application's Resilience4j circuit breaker and
 * bulkhead, through the {@code mesh-resilience4j} module). The engine asks it to admit a call once,
 * after the route's local rate limit and fault injection and before the cluster's own limits and
 * the first attempt, and tells it once how an admitted call ended, after all of the call's retries
 * or hedges. A call it refuses makes no attempt, so it is never retried onto the same guard.
 *
 * <p>What counts as a failure is the engine's classification of the call's outcome, the same for
 * every protocol, so a guard needs no knowledge of HTTP or gRPC statuses (see {@link Verdict}).
 *
 * <p>Threading: both methods are called on the call path, from any thread and concurrently for
 * different calls. They must not block and should not take locks or allocate when they admit; they
 * must not throw (a guard that throws is logged, and a throw from {@link #tryAdmit} fails the call
 * with {@code INTERNAL_ERROR}). A route or cluster without a guard costs the engine one null check
 * per call.
 */
public interface CallGuard {

  /**
   * Admits one call, or refuses it at once.
   *
   * @return null when the call may go ahead (the engine then calls {@link #onEnd} exactly once for
   *     it); otherwise the failure the call ends with, without an attempt, and without {@link
   *     #onEnd}. The failure's cause should be the guard's own exception.
   */
  MeshException tryAdmit();

  /**
   * An admitted call ended.
   *
   * @param verdict how the engine classifies the call's end
   * @param elapsedNanos how long the call took, from its start to its end, retries included
   * @param outcome the outcome of the call's deciding attempt; null when the mesh failed the call
   * @param failure the mesh failure the call ended with; null when an attempt decided it
   */
  void onEnd(Verdict verdict, long elapsedNanos, AttemptOutcome outcome, MeshException failure);

  /** How the engine classifies the end of an admitted call, for the guard that admitted it. */
  enum Verdict {
    /**
     * The service answered sanely: a success, or a client error (HTTP 1xx to 4xx; gRPC OK and the
     * statuses that report the caller's mistake, such as INVALID_ARGUMENT, NOT_FOUND,
     * PERMISSION_DENIED).
     */
    SUCCESS,
    /**
     * The service failed the call: an HTTP 5xx; a gRPC UNKNOWN, DEADLINE_EXCEEDED,
     * RESOURCE_EXHAUSTED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE or DATA_LOSS; a connect failure,
     * reset, refused stream or per-try timeout; or a mesh failure that says the service could not
     * serve the call in time (its deadline passed, or it had no endpoint to take it).
     */
    FAILURE,
    /**
     * The end says nothing about the service: the caller cancelled, or the mesh itself refused or
     * failed the call after the guard admitted it (another guard, the cluster's concurrency limit,
     * an internal error). A guard gives back what it took without counting the call.
     */
    NOT_COUNTED
  }
}
