package dev.weft.mesh.api.spi;

/**
 * Chooses one endpoint for one attempt. Immutable once made: a change of endpoints makes a new
 * picker. Called concurrently from any thread on the call path: takes no lock, does not block, and
 * allocates as little as it can.
 */
@FunctionalInterface
public interface EndpointPicker {

  /**
   * The endpoint for this attempt. Avoids endpoints that {@link PickContext#avoid} names when any
   * other is available; returns one of them only when there is no other choice.
   */
  LbEndpoint pick(PickContext context);
}
