package dev.weft.mesh.grpc;

import dev.weft.mesh.api.InjectedFaultException;
import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.api.config.TlsSettings;
import dev.weft.mesh.core.spi.AttemptOutcome;
import io.grpc.Status;
import java.net.ConnectException;
import javax.net.ssl.SSLException;

/** Translations between gRPC statuses and the mesh's outcomes and failures. */
final class GrpcStatuses {
  /**
   * How grpc-java's Netty transport begins the description of a status made from an HTTP/2
   * RST_STREAM.
   */
  private static final String RST_STREAM = "RST_STREAM closed stream";

  /**
   * The status a gRPC caller sees for a call the mesh failed without an attempt result. An injected
   * abort gets its configured gRPC status, or the one gRPC maps its HTTP status to; a passed
   * deadline and a cancellation keep their meaning; everything else is {@code UNAVAILABLE}, as
   * proxyless gRPC reports "no healthy upstream".
   */
  static Status fromMeshException(MeshException e) {
    if (e instanceof InjectedFaultException fault) {
      Status base =
          fault.grpcStatus().isEmpty()
              ? fromHttpStatus(fault.httpStatus())
              : Status.fromCode(Status.Code.valueOf(fault.grpcStatus()));
      return base.withDescription(e.getMessage());
    }
    Status base =
        switch (e.reason()) {
          case DEADLINE_EXCEEDED -> Status.DEADLINE_EXCEEDED;
          case CANCELLED -> Status.CANCELLED;
          default -> Status.UNAVAILABLE;
        };
    return base.withDescription(e.getMessage()).withCause(e);
  }

  /** gRPC's HTTP-to-gRPC status table (doc/http-grpc-status-mapping.md), as gRFC A33 applies it. */
  static Status fromHttpStatus(int httpStatus) {
    return switch (httpStatus) {
      case 400 -> Status.INTERNAL;
      case 401 -> Status.UNAUTHENTICATED;
      case 403 -> Status.PERMISSION_DENIED;
      case 404 -> Status.UNIMPLEMENTED;
      case 429, 502, 503, 504 -> Status.UNAVAILABLE;
      default -> Status.UNKNOWN;
    };
  }

  /**
   * The outcome of an attempt that closed with {@code status}.
   *
   * @param cancelledByMesh whether the mesh cancelled the attempt (a lost hedge, the caller's
   *     cancel)
   * @param elapsedNanos how long the attempt ran
   * @param timeoutNanos the attempt's time limit
   */
  static AttemptOutcome outcome(
      Status status, boolean cancelledByMesh, long elapsedNanos, long timeoutNanos) {
    Status.Code code = status.getCode();
    if (code == Status.Code.CANCELLED && cancelledByMesh) {
      return AttemptOutcome.CANCELLED;
    }
    if (code == Status.Code.DEADLINE_EXCEEDED
        && timeoutNanos != Long.MAX_VALUE
        && elapsedNanos >= timeoutNanos - 1_000_000L) {
      // The attempt's own deadline ran out here, not a deadline reported by the server.
      return AttemptOutcome.TIMEOUT;
    }
    if (code == Status.Code.UNAVAILABLE && causedByConnectFailure(status.getCause())) {
      return AttemptOutcome.CONNECT_FAILURE;
    }
    if (code != Status.Code.OK
        && status.getDescription() != null
        && status.getDescription().startsWith(RST_STREAM)) {
      // The server (or a proxy) reset the stream: grpc-java reports RST_STREAM(CANCEL) as CANCELLED
      // and
      // RST_STREAM(REFUSED_STREAM) as UNAVAILABLE. Both are transport failures, as Envoy counts
      // them.
      return status.getDescription().contains("REFUSED_STREAM")
          ? AttemptOutcome.REFUSED_STREAM
          : AttemptOutcome.RESET;
    }
    return AttemptOutcome.grpc(code.value());
  }

  /**
   * How grpc-java's Netty transport describes a connection that the server closed without a GOAWAY.
   */
  private static final String NETWORK_CLOSED = "Network closed for unknown reason";

  /** How grpc-java's Netty transport describes a failed connection (reset, refused...). */
  private static final String IO_EXCEPTION = "io exception";

  /**
   * An {@code UNAVAILABLE} status that says why the connection failed, where grpc-java's says only
   * "io exception": a failed TLS handshake gets the handshake's reason (an untrusted CA, a wrong
   * SPIFFE ID, an expired certificate), and a plaintext connection that the server closed at once
   * gets the likely reason (the server requires TLS). Other statuses are returned as they are.
   */
  static Status explainConnectionFailure(Status status, String address, TlsSettings.Mode tlsMode) {
    if (status.getCode() != Status.Code.UNAVAILABLE) {
      return status;
    }
    Throwable t = status.getCause();
    for (int depth = 0; t != null && depth < 10; depth++, t = t.getCause()) {
      if (t instanceof SSLException) {
        return status.withDescription(
            "TLS handshake with " + address + " failed: " + t.getMessage());
      }
    }
    String description = status.getDescription();
    boolean closedByServer =
        description != null
            && (description.startsWith(NETWORK_CLOSED)
                || (description.startsWith(IO_EXCEPTION)
                    && !causedByConnectFailure(status.getCause())));
    if (tlsMode == TlsSettings.Mode.DISABLED && closedByServer) {
      String detail =
          status.getCause() == null || status.getCause().getMessage() == null
              ? description
              : description + ": " + status.getCause().getMessage();
      return status.withDescription(
          "the connection to "
              + address
              + " was closed by the server ("
              + detail
              + ");"
              + " the cluster's TLS mode is DISABLED (plaintext), and a server that requires TLS closes plaintext connections");
    }
    return status;
  }

  private static boolean causedByConnectFailure(Throwable t) {
    for (int depth = 0; t != null && depth < 10; depth++, t = t.getCause()) {
      if (t instanceof ConnectException) {
        return true;
      }
    }
    return false;
  }

  private GrpcStatuses() {}
}
