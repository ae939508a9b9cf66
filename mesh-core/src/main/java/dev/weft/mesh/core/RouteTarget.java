package dev.weft.mesh.core;

import dev.weft.mesh.core.spi.RouteDestination;

/** A compiled destination of a route: a cluster (or subset) and its balancer. */
final class RouteTarget {
  final ClusterState cluster;
  final ClusterState.Balanced balanced;
  final String subset;

  /** What call observers are told; null for a mirror's target, which is not observed. */
  final RouteDestination destination;

  RouteTarget(ClusterState cluster, String subset) {
    this(cluster, subset, null);
  }

  RouteTarget(ClusterState cluster, String subset, RouteDestination destination) {
    this.cluster = cluster;
    this.subset = subset;
    this.balanced = cluster.balanced(subset);
    this.destination = destination;
  }

  String describe() {
    return subset.isEmpty() ? cluster.name() : cluster.name() + "/" + subset;
  }
}
