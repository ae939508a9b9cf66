package dev.weft.mesh.core.spi;

import dev.weft.mesh.api.MeshException;

/** Receives the end of a call, exactly once, on an adapter's or the mesh's thread. */
public interface CallListener<R> {

  /** The call ended with the result of its deciding attempt (success or not). */
  void onComplete(R result);

  /**
   * The mesh failed the call without an attempt result to give (see {@link MeshException.Reason}).
   */
  void onFailure(MeshException failure);
}
