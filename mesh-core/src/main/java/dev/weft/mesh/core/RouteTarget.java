package dev.weft.mesh.core;

import dev.weft.mesh.core.spi.CallGuard;
import dev.weft.mesh.core.spi.RouteDestination;

/** A compiled destination of a route: a cluster (or subset) and its balancer. */
final class RouteTarget {
  final ClusterState cluster;
  final ClusterState.Balanced balanced;
  final String subset;

  /** What call observers are told; null for a mirror's target, which is not observed. */
  final RouteDestination destination;

  /** The cluster's guard (its Resilience4j instances); null when it names none, or for a mirror. */
  final CallGuard guard;

  /**
   * The canary guard's tap when this is a guarded destination of a route, else null; set while the
   * snapshot is compiled, before it is published.
   */
  CanaryTap canary;

  RouteTarget(ClusterState cluster, String subset) {
    this(cluster, subset, null, null);
  }

  RouteTarget(ClusterState cluster, String subset, RouteDestination destination, CallGuard guard) {
    this.cluster = cluster;
    this.subset = subset;
    this.balanced = cluster.balanced(subset);
    this.destination = destination;
    this.guard = guard;
  }

  String describe() {
    return subset.isEmpty() ? cluster.name() : cluster.name() + "/" + subset;
  }
}
