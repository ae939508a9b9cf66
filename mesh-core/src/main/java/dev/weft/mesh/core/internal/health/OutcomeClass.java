package dev.weft.mesh.core.internal.health;

/**
 * What the outcome of one attempt says about the health of the endpoint that served it. This is the
 * vocabulary of outlier detection, not of retries: a 404 is a {@link #SUCCESS} here (the endpoint
 * answered sanely) even though the call failed for the caller.
 *
 * <p>The engine classifies protocol outcomes into this; {@link #ofHttpStatus(int)} and {@link
 * #ofGrpcStatus(int)} give the mapping Weft uses, which follows Envoy's (gRPC statuses are mapped
 * as Envoy maps them to HTTP statuses for outlier detection).
 */
public enum OutcomeClass {
  /** The endpoint answered; it counts as a success and resets the consecutive-failure counts. */
  SUCCESS,
  /**
   * A server error that is not a gateway error: HTTP 500, 501 and 505..599, gRPC UNKNOWN,
   * UNIMPLEMENTED, INTERNAL and DATA_LOSS. Counts toward {@code consecutiveFailures} (Envoy's
   * consecutive 5xx) and resets the consecutive gateway-failure count.
   */
  FAILURE,
  /**
   * The endpoint could not be reached or gave up: HTTP 502, 503 and 504, a connect failure, a reset
   * or refused stream, gRPC UNAVAILABLE, and a per-try timeout. Counts toward both {@code
   * consecutiveFailures} and {@code consecutiveGatewayFailures}.
   */
  GATEWAY_FAILURE,
  /**
   * A failure that says nothing about the endpoint: the caller cancelled, the caller's own deadline
   * passed, the local rate limit or a circuit breaker refused. Not counted at all.
   */
  LOCAL;

  /** Whether this outcome counts as a failure of the endpoint. */
  public boolean isFailure() {
    return this == FAILURE || this == GATEWAY_FAILURE;
  }

  /**
   * The class of an HTTP response status: 502, 503 and 504 are gateway failures, any other 5xx (and
   * a status outside 100..599, which only a broken server sends) a failure, everything else a
   * success.
   */
  public static OutcomeClass ofHttpStatus(int status) {
    if (status == 502 || status == 503 || status == 504) {
      return GATEWAY_FAILURE;
    }
    if (status >= 500 || status < 100) {
      return FAILURE;
    }
    return SUCCESS;
  }

  /**
   * The class of a gRPC status code (the numeric value, so that this module does not depend on
   * grpc-java). CANCELLED and DEADLINE_EXCEEDED are {@link #LOCAL}, because on the client they
   * report the caller's own cancellation or deadline; the engine reports the expiry of its own
   * per-try timeout as {@link #GATEWAY_FAILURE} without calling this. UNAVAILABLE is a gateway
   * failure; UNKNOWN, UNIMPLEMENTED, INTERNAL, DATA_LOSS and any code gRPC does not define are
   * failures; the rest are answers from a healthy endpoint.
   */
  public static OutcomeClass ofGrpcStatus(int code) {
    switch (code) {
      case 0: // OK
      case 3: // INVALID_ARGUMENT
      case 5: // NOT_FOUND
      case 6: // ALREADY_EXISTS
      case 7: // PERMISSION_DENIED
      case 8: // RESOURCE_EXHAUSTED (Envoy maps it to 429)
      case 9: // FAILED_PRECONDITION
      case 10: // ABORTED
      case 11: // OUT_OF_RANGE
      case 16: // UNAUTHENTICATED
        return SUCCESS;
      case 1: // CANCELLED
      case 4: // DEADLINE_EXCEEDED
        return LOCAL;
      case 14: // UNAVAILABLE
        return GATEWAY_FAILURE;
      default: // UNKNOWN (2), UNIMPLEMENTED (12), INTERNAL (13), DATA_LOSS (15), undefined codes
        return FAILURE;
    }
  }
}
