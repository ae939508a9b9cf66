package dev.weft.mesh.api;

/** A call aborted by a configured fault injection. */
public final class InjectedFaultException extends MeshException {
  private static final long serialVersionUID = 1L;

  private final int httpStatus;
  private final String grpcStatus;

  public InjectedFaultException(int httpStatus, String grpcStatus, String route) {
    super(
        Reason.FAULT_INJECTED,
        "fault injected by route '"
            + route
            + "': abort with "
            + (grpcStatus.isEmpty() ? "HTTP " + httpStatus : grpcStatus));
    this.httpStatus = httpStatus;
    this.grpcStatus = grpcStatus;
  }

  /** The HTTP status configured for the abort. */
  public int httpStatus() {
    return httpStatus;
  }

  /** The gRPC status name configured for the abort, or empty to map {@link #httpStatus()}. */
  public String grpcStatus() {
    return grpcStatus;
  }
}
