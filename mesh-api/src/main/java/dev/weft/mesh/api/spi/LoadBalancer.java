package dev.weft.mesh.api.spi;

import java.util.List;

/**
 * Balances calls over one group of endpoints. The mesh calls {@link #update} serially, off the call
 * path, whenever the group's endpoints, their health or their effective weights change; the picker
 * it returns serves calls until the next update.
 */
public interface LoadBalancer {

  /**
   * Makes a picker for the endpoints now usable. Never called concurrently with itself.
   *
   * @param endpoints the endpoints to choose from, never empty; the list and its order are stable
   *     between updates that do not change membership
   */
  EndpointPicker update(List<? extends LbEndpoint> endpoints);
}
