package dev.weft.mesh.kubernetes.internal;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.Service;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lays what Kubernetes says over a base configuration (the YAML file), with this precedence:
 *
 * <ol>
 *   <li>Endpoints: Kubernetes, for every cluster it knows; the base's endpoints of such a cluster
 *       are replaced.
 *   <li>Cluster policies (balancer, circuit breakers, outlier detection, retry budget, TLS, connect
 *       timeout, subsets): the base cluster of the same name; defaults where the base has none.
 *   <li>Routes of a service: HTTPRoutes and GRPCRoutes that name it; else the base's routes for the
 *       same name; else one route that sends every call to the Service's first port.
 *   <li>Everything else in the base (its own services and clusters, authorization policies, path
 *       normalization) as the base has it.
 * </ol>
 */
public final class Layering {
  private Layering() {}

  /**
   * @param base the base configuration, or null when there is none
   * @param clusters Kubernetes clusters (endpoints only)
   * @param defaultRoutes per Kubernetes service name, its default routes
   * @param gatewayRoutes per service name, routes from HTTPRoutes and GRPCRoutes (win over all)
   */
  public static MeshConfig layer(
      MeshConfig base,
      String version,
      List<Cluster> clusters,
      Map<String, List<Route>> defaultRoutes,
      Map<String, List<Route>> gatewayRoutes) {
    Map<String, Cluster> outClusters = new LinkedHashMap<>();
    Map<String, Service> outServices = new LinkedHashMap<>();
    if (base != null) {
      base.clusters().forEach(c -> outClusters.put(c.name(), c));
      base.services().forEach(s -> outServices.put(s.name(), s));
    }
    for (Cluster k : clusters) {
      Cluster under = outClusters.get(k.name());
      outClusters.put(
          k.name(), under == null ? k : under.toBuilder().endpoints(k.endpoints()).build());
    }
    for (Map.Entry<String, List<Route>> e : defaultRoutes.entrySet()) {
      outServices.putIfAbsent(e.getKey(), new Service(e.getKey(), e.getValue()));
    }
    for (Map.Entry<String, List<Route>> e : gatewayRoutes.entrySet()) {
      outServices.put(e.getKey(), new Service(e.getKey(), e.getValue()));
    }
    if (base == null) {
      return new MeshConfig(
          version, new ArrayList<>(outServices.values()), new ArrayList<>(outClusters.values()));
    }
    return new MeshConfig(
        version,
        new ArrayList<>(outServices.values()),
        new ArrayList<>(outClusters.values()),
        base.authorizationPolicies(),
        base.pathNormalization());
  }

  /** The names of services whose routes come from the Gateway API. */
  public static Set<String> gatewayRouted(Map<String, List<Route>> gatewayRoutes) {
    return gatewayRoutes.keySet();
  }
}
