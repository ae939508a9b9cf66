package dev.weft.mesh.core.spi;

/**
 * Sees the end of every call and every attempt the mesh makes, whoever made them: for in-process
 * statistics such as a console's golden metrics or a canary's health. Register one with {@code
 * Mesh.addCallObserver}.
 *
 * <p>Threading: called on the call path, on whatever thread ended the call or attempt (an
 * adapter's, the mesh's scheduler, the caller's), concurrently for different calls. An observer
 * must be quick, must not block, must not take a lock shared between calls and should not allocate;
 * what it throws is logged once and otherwise ignored: the call goes on as if nothing had been
 * observed.
 *
 * <p>Success is what golden metrics count as success: a response that is not a server error (HTTP
 * below 500, gRPC {@code OK}). Transport failures, timeouts, cancellations and the mesh's own
 * refusals ({@code NO_ENDPOINT}, {@code CIRCUIT_OPEN}, ...) are failures. Mirrored attempts are not
 * observed.
 */
public interface CallObserver {

  /**
   * An attempt (a first try, a retry or a hedge) to {@code destination} ended after {@code
   * latencyNanos}.
   */
  void attemptEnded(RouteDestination destination, boolean success, long latencyNanos);

  /**
   * A call to {@code destination} ended after {@code elapsedNanos} (retries, hedges and backoff
   * included) and {@code attempts} attempts (0 when the mesh failed it before any attempt).
   */
  void callEnded(RouteDestination destination, boolean success, long elapsedNanos, int attempts);
}
