package dev.weft.mesh.core.spi;

import static java.util.Objects.requireNonNull;

/**
 * How one attempt ended, in the protocol-neutral terms the engine classifies for retries, outlier
 * detection and metrics. Common outcomes are shared constants, so reporting one allocates nothing.
 *
 * @param kind what happened
 * @param httpStatus the HTTP status for an HTTP response; 0 otherwise
 * @param grpcStatus the gRPC status name for a gRPC response (for example {@code OK}, {@code
 *     UNAVAILABLE}); empty otherwise
 */
public record AttemptOutcome(Kind kind, int httpStatus, String grpcStatus) {

  private static final AttemptOutcome[] HTTP = new AttemptOutcome[600];
  private static final String[] GRPC_NAMES = {
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED"
  };
  private static final AttemptOutcome[] GRPC = new AttemptOutcome[GRPC_NAMES.length];

  static {
    for (int i = 100; i < HTTP.length; i++) {
      HTTP[i] = new AttemptOutcome(Kind.RESPONSE, i, "");
    }
    for (int i = 0; i < GRPC_NAMES.length; i++) {
      GRPC[i] = new AttemptOutcome(Kind.RESPONSE, 0, GRPC_NAMES[i]);
    }
  }

  public static final AttemptOutcome CONNECT_FAILURE =
      new AttemptOutcome(Kind.CONNECT_FAILURE, 0, "");
  public static final AttemptOutcome REFUSED_STREAM =
      new AttemptOutcome(Kind.REFUSED_STREAM, 0, "");
  public static final AttemptOutcome RESET = new AttemptOutcome(Kind.RESET, 0, "");
  public static final AttemptOutcome TIMEOUT = new AttemptOutcome(Kind.TIMEOUT, 0, "");
  public static final AttemptOutcome CANCELLED = new AttemptOutcome(Kind.CANCELLED, 0, "");

  public AttemptOutcome {
    requireNonNull(kind, "kind");
    requireNonNull(grpcStatus, "grpcStatus");
  }

  /** An HTTP response with this status. */
  public static AttemptOutcome http(int status) {
    if (status < 100 || status >= HTTP.length) {
      throw new IllegalArgumentException("HTTP status must be from 100 to 599, was " + status);
    }
    return HTTP[status];
  }

  /** A gRPC response with this status code value (0 for OK, 14 for UNAVAILABLE...). */
  public static AttemptOutcome grpc(int code) {
    if (code < 0 || code >= GRPC.length) {
      return GRPC[2]; // UNKNOWN, as gRPC treats codes it does not know
    }
    return GRPC[code];
  }

  /** A gRPC response with this status name. */
  public static AttemptOutcome grpc(String name) {
    for (int i = 0; i < GRPC_NAMES.length; i++) {
      if (GRPC_NAMES[i].equals(name)) {
        return GRPC[i];
      }
    }
    return GRPC[2];
  }

  /** Whether this is a gRPC response. */
  public boolean isGrpc() {
    return !grpcStatus.isEmpty();
  }

  /**
   * A short label for metrics: {@code 2xx}..{@code 5xx}, a gRPC status name, or the kind in lower
   * case.
   */
  public String statusLabel() {
    if (kind != Kind.RESPONSE) {
      return kind.label;
    }
    if (isGrpc()) {
      return grpcStatus;
    }
    return switch (httpStatus / 100) {
      case 1 -> "1xx";
      case 2 -> "2xx";
      case 3 -> "3xx";
      case 4 -> "4xx";
      default -> "5xx";
    };
  }

  /** What happened to an attempt. */
  public enum Kind {
    /** A response arrived (with any status). */
    RESPONSE("response"),
    /** No connection could be made. */
    CONNECT_FAILURE("connect_failure"),
    /** The server refused the stream before processing it. */
    REFUSED_STREAM("refused_stream"),
    /** The connection or stream broke before a response. */
    RESET("reset"),
    /** The attempt's time ran out (its per-try timeout or the call's deadline). */
    TIMEOUT("timeout"),
    /** The attempt was cancelled by the mesh (a hedge lost) or by the caller. */
    CANCELLED("cancelled");

    private final String label;

    Kind(String label) {
      this.label = label;
    }
  }
}
