package dev.weft.mesh.api.config;

import dev.weft.mesh.api.internal.Checks;
import java.util.Map;

/**
 * A named part of a cluster: the endpoints whose labels include all of {@code labels} (Istio's
 * DestinationRule subsets).
 *
 * @param name how routes refer to the subset, for example {@code v2}
 * @param labels the labels an endpoint must carry, for example {@code version: v2}
 */
public record Subset(String name, Map<String, String> labels) {
  public Subset {
    labels = Checks.map(labels);
    Checks c = Checks.start();
    c.name(name, "name");
    c.require(!labels.isEmpty(), "labels", "must select at least one label");
    c.throwIfAny();
  }

  /** Whether an endpoint with these labels belongs to this subset. */
  public boolean matches(Map<String, String> endpointLabels) {
    for (Map.Entry<String, String> e : labels.entrySet()) {
      if (!e.getValue().equals(endpointLabels.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }
}
