package dev.weft.mesh.core.internal.lb;

import dev.weft.mesh.api.spi.LbEndpoint;
import dev.weft.mesh.api.spi.PickContext;

/** Helpers for honouring {@link PickContext#avoid} without allocating. */
final class Avoidance {

  /**
   * The index of the first endpoint at or after {@code start} (wrapping around) that the context
   * does not avoid, or -1 when it avoids them all.
   */
  static int nextAllowed(LbEndpoint[] endpoints, int start, PickContext context) {
    int n = endpoints.length;
    int i = Math.floorMod(start, n);
    for (int step = 0; step < n; step++) {
      if (!context.avoid(endpoints[i])) {
        return i;
      }
      if (++i == n) {
        i = 0;
      }
    }
    return -1;
  }

  private Avoidance() {}
}
