package dev.weft.mesh.core.spi;

/** A call in progress. */
public interface CallHandle {

  /**
   * Cancels the call: attempts in flight are cancelled and the listener hears the end. Idempotent.
   */
  void cancel();
}
