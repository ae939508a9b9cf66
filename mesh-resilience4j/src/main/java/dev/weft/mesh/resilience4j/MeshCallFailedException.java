package dev.weft.mesh.resilience4j;

import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.core.spi.AttemptOutcome;

/**
 * What a Resilience4j circuit breaker is told when the engine classifies a call it admitted as a
 * failure: an HTTP 5xx, a gRPC server error, a transport failure or a timeout, or a mesh failure
 * that says the service could not serve the call (see {@code CallGuard.Verdict.FAILURE}). The
 * breaker's {@code recordExceptions} and {@code ignoreExceptions} are applied to it as to any
 * exception: a breaker that records only listed exceptions must list this class (or leave the list
 * empty, its default) to count mesh calls at all.
 *
 * <p>It carries no stack trace: it is made for the breaker, never thrown to the caller, who gets
 * the call's own answer.
 */
public final class MeshCallFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient AttemptOutcome outcome;

  MeshCallFailedException(String owner, AttemptOutcome outcome, MeshException failure) {
    super(message(owner, outcome, failure), failure, false, false);
    this.outcome = outcome;
  }

  private static String message(String owner, AttemptOutcome outcome, MeshException failure) {
    if (outcome != null) {
      return "a call of " + owner + " ended with " + describe(outcome);
    }
    return "a call of "
        + owner
        + " failed in the mesh ("
        + failure.reason()
        + "): "
        + failure.getMessage();
  }

  private static String describe(AttemptOutcome o) {
    if (o.kind() != AttemptOutcome.Kind.RESPONSE) {
      return o.statusLabel();
    }
    return o.isGrpc() ? "gRPC status " + o.grpcStatus() : "HTTP status " + o.httpStatus();
  }

  /**
   * How the call's deciding attempt ended (an HTTP or gRPC status, a transport failure, a timeout);
   * null when the mesh failed the call, whose failure is then the {@linkplain #getCause() cause}.
   */
  public AttemptOutcome outcome() {
    return outcome;
  }
}
