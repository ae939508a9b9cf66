package dev.weft.mesh.api.config;

import dev.weft.mesh.api.internal.Checks;

/**
 * Where a route sends a share of its calls.
 *
 * @param cluster the cluster's name
 * @param subset a subset of the cluster, or empty for the whole cluster
 * @param weight the relative share of the route's calls, 0 or more; a route's weights are compared
 *     with their sum, so 90 and 10 split calls 90/10
 */
public record Destination(String cluster, String subset, int weight) {
  public Destination {
    Checks c = Checks.start();
    c.name(cluster, "cluster");
    if (c.notNull(subset, "subset") && !subset.isEmpty()) {
      c.name(subset, "subset");
    }
    c.require(weight >= 0, "weight", "must not be negative, was %d", weight);
    c.throwIfAny();
  }

  /** All of a route's calls to a whole cluster. */
  public static Destination of(String cluster) {
    return new Destination(cluster, "", 1);
  }

  public static Destination of(String cluster, String subset, int weight) {
    return new Destination(cluster, subset, weight);
  }
}
