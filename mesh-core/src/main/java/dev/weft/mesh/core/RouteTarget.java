package dev.weft.mesh.core;

/** A compiled destination of a route: a cluster (or subset) and its balancer. */
final class RouteTarget {
  final ClusterState cluster;
  final ClusterState.Balanced balanced;
  final String subset;

  RouteTarget(ClusterState cluster, String subset) {
    this.cluster = cluster;
    this.subset = subset;
    this.balanced = cluster.balanced(subset);
  }

  String describe() {
    return subset.isEmpty() ? cluster.name() : cluster.name() + "/" + subset;
  }
}
