package dev.weft.mesh.core;

/** A compiled destination of a route: a cluster (or subset) and its balancer. */
final class RouteTarget {
  final ClusterState cluster;
  final ClusterState.Balanced balanced;
  final String subset;

  /**
   * The canary guard's tap when this is a guarded destination of a route, else null; set while the
   * snapshot is compiled, before it is published.
   */
  CanaryTap canary;

  RouteTarget(ClusterState cluster, String subset) {
    this.cluster = cluster;
    this.subset = subset;
    this.balanced = cluster.balanced(subset);
  }

  String describe() {
    return subset.isEmpty() ? cluster.name() : cluster.name() + "/" + subset;
  }
}
