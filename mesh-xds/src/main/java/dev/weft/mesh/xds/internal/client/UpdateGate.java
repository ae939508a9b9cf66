package dev.weft.mesh.xds.internal.client;

import java.util.Map;

/**
 * Has the last word on a response whose resources all parsed: the layer above checks the new state
 * of the type against everything else it holds and may refuse it, which NACKs the response as a
 * whole. Called on the client's work thread before anything of the response is committed.
 */
@FunctionalInterface
public interface UpdateGate {

  /** Accepts everything. */
  UpdateGate ACCEPT_ALL = (type, version, state) -> {};

  /**
   * @param type the type of the response
   * @param version the response's version_info
   * @param newState every subscribed resource of the type that would be in force, by name
   * @throws UpdateRejectedException to NACK the response; its message becomes the error_detail
   */
  void check(XdsResourceType<?> type, String version, Map<String, Object> newState)
      throws UpdateRejectedException;

  /** A response refused by the gate. */
  final class UpdateRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    public UpdateRejectedException(String message) {
      super(message);
    }
  }
}
