package dev.weft.mesh.api.spi;

/** What a picker knows about the attempt it picks for. */
public interface PickContext {

  /** Whether the call carries a hash key (from the route's hash policies). */
  boolean hasHash();

  /** The call's hash key; meaningful only when {@link #hasHash()}. */
  long hash();

  /**
   * Whether this endpoint should be avoided for this attempt because an earlier attempt of the same
   * call already used it (so a retry goes elsewhere).
   */
  boolean avoid(LbEndpoint endpoint);
}
