package dev.weft.mesh.xds;

/**
 * The management server cannot be reached for now. Reported to the config listener as information:
 * the configuration in force stays, and the source keeps reconnecting.
 */
public final class XdsUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public XdsUnavailableException(String message) {
    super(message);
  }
}
