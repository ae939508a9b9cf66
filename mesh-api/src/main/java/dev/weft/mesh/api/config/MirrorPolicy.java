package dev.weft.mesh.api.config;

import dev.weft.mesh.api.internal.Checks;

/**
 * Sends a fire-and-forget copy of a share of a route's calls to a shadow cluster; the copy's
 * outcome never affects the caller.
 *
 * @param cluster the shadow cluster
 * @param subset a subset of it, or empty
 * @param percent which share of calls is copied, 0 to 100
 */
public record MirrorPolicy(String cluster, String subset, double percent) {
  public MirrorPolicy {
    Checks c = Checks.start();
    c.name(cluster, "cluster");
    if (c.notNull(subset, "subset") && !subset.isEmpty()) {
      c.name(subset, "subset");
    }
    c.percent(percent, "percent");
    c.throwIfAny();
  }
}
