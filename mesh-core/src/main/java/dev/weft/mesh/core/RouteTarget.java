package dev.weft.mesh.core;

import dev.weft.mesh.core.spi.CallGuard;

/** A compiled destination of a route: a cluster (or subset) and its balancer. */
final class RouteTarget {
  final ClusterState cluster;
  final ClusterState.Balanced balanced;
  final String subset;

  /** The cluster's guard (its Resilience4j instances); null when it names none, or for a mirror. */
  final CallGuard guard;

  RouteTarget(ClusterState cluster, String subset) {
    this(cluster, subset, null);
  }

  RouteTarget(ClusterState cluster, String subset, CallGuard guard) {
    this.cluster = cluster;
    this.subset = subset;
    this.balanced = cluster.balanced(subset);
    this.guard = guard;
  }

  String describe() {
    return subset.isEmpty() ? cluster.name() : cluster.name() + "/" + subset;
  }
}
