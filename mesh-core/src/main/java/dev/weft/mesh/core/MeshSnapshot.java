package dev.weft.mesh.core;

import dev.weft.mesh.api.config.MeshConfig;
import java.util.List;
import java.util.Map;

/**
 * One applied configuration, compiled for the call path: a map from service name to router. Calls
 * read the snapshot in force through one volatile reference and use it to the end, so a call never
 * sees half of an update.
 */
final class MeshSnapshot {
  final MeshConfig config;
  final Map<String, ServiceRouter> routers;
  final Map<String, ClusterState> clusters;
  final List<String> serviceNames;
  final long appliedAtMillis;

  MeshSnapshot(
      MeshConfig config,
      Map<String, ServiceRouter> routers,
      Map<String, ClusterState> clusters,
      long appliedAtMillis) {
    this.config = config;
    this.routers = routers;
    this.clusters = clusters;
    this.serviceNames = routers.keySet().stream().sorted().toList();
    this.appliedAtMillis = appliedAtMillis;
  }

  String version() {
    return config.version();
  }
}
