package dev.weft.mesh.xds;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.FaultInjection;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.MirrorPolicy;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.api.security.AuthorizationPolicy;
import dev.weft.mesh.api.security.PathNormalization;
import dev.weft.mesh.xds.XdsValues.Endpoints;
import dev.weft.mesh.xds.XdsValues.Listener;
import dev.weft.mesh.xds.XdsValues.RouteConfig;
import dev.weft.mesh.xds.XdsValues.VirtualHost;
import dev.weft.mesh.xds.XdsValues.XdsCluster;
import dev.weft.mesh.xds.XdsValues.XdsRoute;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns the xDS resources in hand into one {@link MeshConfig}, or says what is still missing. Pure:
 * no I/O, no clock. A map entry of {@code Optional.empty()} means "does not exist"; no entry means
 * "not received yet".
 */
final class XdsTranslator {
  /**
   * The policy in force while the server Listener does not exist: an ALLOW policy without rules,
   * which denies every call (gRFC A36 puts such a server into not-serving).
   */
  static final String SERVER_LISTENER_ABSENT = "server-listener-absent";

  private static final int MAX_AGGREGATE_DEPTH = 16;

  private XdsTranslator() {}

  /**
   * A watched target.
   *
   * @param listener the listener resource name
   * @param authority the name virtual host domains are matched against
   * @param serviceNames the mesh service names it is known by (the listener name first, then
   *     aliases)
   */
  record Target(String listener, String authority, List<String> serviceNames) {}

  /** Everything in hand, by resource name. */
  record State(
      Map<String, Optional<Listener>> listeners,
      Map<String, Optional<RouteConfig>> routes,
      Map<String, Optional<XdsCluster>> clusters,
      Map<String, Optional<Endpoints>> endpoints) {}

  /**
   * The outcome.
   *
   * @param routeNames route configurations the listeners need
   * @param clusterNames clusters the routes need (aggregate children included)
   * @param edsNames EDS resources the clusters need
   * @param missing resources still awaited, as {@code Type name}; empty when {@code config} is
   *     complete
   * @param services the built services, meaningful only when nothing is missing
   * @param clusters the built clusters, meaningful only when nothing is missing
   * @param serviceOrigins the resource each of {@code services} was made of (its listener), in the
   *     same order
   * @param clusterOrigins the resource each of {@code clusters} was made of, in the same order
   * @param policies the authorization policies of the server listener (none when there is none)
   * @param policyOrigin the server listener the policies came from, or null when there is none
   * @param normalization how the server listener's HttpConnectionManager normalizes paths (the
   *     default when there is no server listener)
   */
  record Result(
      Set<String> routeNames,
      Set<String> clusterNames,
      Set<String> edsNames,
      List<String> missing,
      List<Service> services,
      List<Cluster> clusters,
      List<Origin> serviceOrigins,
      List<Origin> clusterOrigins,
      List<AuthorizationPolicy> policies,
      Origin policyOrigin,
      PathNormalization normalization) {
    boolean complete() {
      return missing.isEmpty();
    }

    /**
     * The resource the element at {@code modelPath} of {@link #config} was made of (a violation's
     * path such as {@code services[3].routes[0]} lies in {@code services[3]}), or empty when the
     * path names no built element.
     */
    Optional<Origin> originOf(String modelPath) {
      return originIn(modelPath, "services", serviceOrigins)
          .or(() -> originIn(modelPath, "clusters", clusterOrigins))
          .or(() -> originIn(modelPath, "authorizationPolicies", policyOrigins()));
    }

    private List<Origin> policyOrigins() {
      return policyOrigin == null
          ? List.of()
          : java.util.Collections.nCopies(policies.size(), policyOrigin);
    }

    private static Optional<Origin> originIn(String path, String list, List<Origin> origins) {
      for (int i = 0; i < origins.size(); i++) {
        String element = list + "[" + i + "]";
        if (path.equals(element)
            || path.startsWith(element + ".")
            || path.startsWith(element + "[")) {
          return Optional.of(origins.get(i));
        }
      }
      return Optional.empty();
    }

    MeshConfig config(String version) {
      return new MeshConfig(version, services, clusters, policies, normalization);
    }
  }

  /**
   * The xDS resource a built element came from.
   *
   * @param type the resource's type as people know it, for example {@code Listener}
   * @param name the resource name
   */
  record Origin(String type, String name) {
    /** As a violation's location: {@code xDS Listener reviews:9080}. */
    String location() {
      return "xDS " + type + " " + name;
    }
  }

  static Result translate(List<Target> targets, State state) {
    return translate(targets, null, state);
  }

  /**
   * @param serverListener the name of this process's server listener, or null when it has none: its
   *     RBAC policies become the configuration's authorization policies; one known not to exist
   *     means no policies
   */
  static Result translate(List<Target> targets, String serverListener, State state) {
    List<AuthorizationPolicy> policies = List.of();
    PathNormalization normalization = PathNormalization.DEFAULT;
    Set<String> routeNames = new LinkedHashSet<>();
    Set<String> clusterNames = new LinkedHashSet<>();
    Set<String> edsNames = new LinkedHashSet<>();
    List<String> missing = new ArrayList<>();
    List<Service> services = new ArrayList<>();
    List<Origin> serviceOrigins = new ArrayList<>();
    Origin policyOrigin = null;
    Set<String> referenced = new LinkedHashSet<>();
    if (serverListener != null) {
      Optional<Listener> so = state.listeners().get(serverListener);
      if (so == null) {
        missing.add("Listener " + serverListener);
      } else if (so.isPresent()) {
        policies = so.get().policies();
        normalization = so.get().normalization();
        policyOrigin = new Origin("Listener", serverListener);
      } else {
        // gRFC A36: a server whose Listener does not exist does not serve; here, it denies every
        // call.
        policies = List.of(AuthorizationPolicy.denyAll(SERVER_LISTENER_ABSENT));
        policyOrigin = new Origin("Listener", serverListener);
      }
    }

    for (Target t : targets) {
      Optional<Listener> lo = state.listeners().get(t.listener());
      if (lo == null) {
        missing.add("Listener " + t.listener());
        continue;
      }
      if (lo.isEmpty()) {
        continue;
      }
      Listener l = lo.get();
      if (l.server()) {
        continue; // a name both targeted and served: it is read as the server listener
      }
      RouteConfig rc = l.inlineRoutes();
      if (rc == null) {
        routeNames.add(l.rdsName());
        Optional<RouteConfig> ro = state.routes().get(l.rdsName());
        if (ro == null) {
          missing.add("RouteConfiguration " + l.rdsName());
          continue;
        }
        if (ro.isEmpty()) {
          continue;
        }
        rc = ro.get();
      }
      VirtualHost vh = matchVirtualHost(rc.virtualHosts(), t.authority());
      if (vh == null) {
        continue; // gRPC fails such calls; Weft leaves the service out and calls fail as unknown
      }
      List<Route> routes = new ArrayList<>();
      for (XdsRoute xr : vh.routes()) {
        Route r = xr.route();
        Route.Builder b = r.toBuilder();
        if (!xr.hasTimeout()) {
          b.timeout(l.maxStreamDuration());
        }
        FaultInjection fault = FaultInjection.NONE;
        if (!l.faultFilterName().isEmpty()) {
          fault =
              xr.faults()
                  .getOrDefault(
                      l.faultFilterName(),
                      vh.faults().getOrDefault(l.faultFilterName(), l.fault()));
        }
        b.fault(fault);
        routes.add(b.build());
        for (Destination d : r.destinations()) {
          referenced.add(d.cluster());
        }
        for (MirrorPolicy m : r.mirrors()) {
          referenced.add(m.cluster());
        }
      }
      if (routes.isEmpty()) {
        continue;
      }
      for (String name : t.serviceNames()) {
        services.add(new Service(name, routes));
        serviceOrigins.add(new Origin("Listener", t.listener()));
      }
    }

    List<Cluster> clusters = new ArrayList<>();
    List<Origin> clusterOrigins = new ArrayList<>();
    for (String name : referenced) {
      Cluster c = cluster(name, state, clusterNames, edsNames, missing, 0, new LinkedHashSet<>());
      if (c != null) {
        clusters.add(c);
        clusterOrigins.add(new Origin("Cluster", name));
      }
    }
    return new Result(
        routeNames,
        clusterNames,
        edsNames,
        missing,
        services,
        clusters,
        serviceOrigins,
        clusterOrigins,
        policies,
        policyOrigin,
        normalization);
  }

  /** A cluster with its endpoints, or null when something it needs is missing. */
  private static Cluster cluster(
      String name,
      State state,
      Set<String> clusterNames,
      Set<String> edsNames,
      List<String> missing,
      int depth,
      Set<String> path) {
    clusterNames.add(name);
    Optional<XdsCluster> co = state.clusters().get(name);
    if (co == null) {
      missing.add("Cluster " + name);
      return null;
    }
    if (co.isEmpty()) {
      return Cluster.builder(name).build();
    }
    XdsCluster xc = co.get();
    Cluster model = xc.cluster();
    switch (xc.kind()) {
      case EDS -> {
        edsNames.add(xc.edsServiceName());
        Optional<Endpoints> eo = state.endpoints().get(xc.edsServiceName());
        if (eo == null) {
          missing.add("ClusterLoadAssignment " + xc.edsServiceName());
          return null;
        }
        if (eo.isEmpty()) {
          return model;
        }
        Cluster.Builder b = model.toBuilder().endpoints(eo.get().endpoints());
        if (eo.get().overprovisioningFactor() > 0) {
          b.loadBalancing(
              model.loadBalancing().withOverprovisioningFactor(eo.get().overprovisioningFactor()));
        }
        return b.build();
      }
      case STATIC, DNS -> {
        return model.toBuilder().endpoints(xc.endpoints()).build();
      }
      default -> {
        // Aggregate (gRFC A37): the children's endpoints in order, each child's priorities after
        // the last.
        if (depth >= MAX_AGGREGATE_DEPTH || !path.add(name)) {
          return model;
        }
        List<Endpoint> all = new ArrayList<>();
        Set<String> addresses = new LinkedHashSet<>();
        boolean ready = true;
        int offset = 0;
        for (String child : xc.children()) {
          Cluster cc = cluster(child, state, clusterNames, edsNames, missing, depth + 1, path);
          if (cc == null) {
            ready = false;
            continue;
          }
          int maxPriority = -1;
          for (Endpoint e : cc.endpoints()) {
            if (addresses.add(e.address())) {
              all.add(e.toBuilder().priority(e.priority() + offset).build());
              maxPriority = Math.max(maxPriority, e.priority() + offset);
            }
          }
          offset = Math.max(offset, maxPriority + 1);
        }
        path.remove(name);
        return ready ? model.toBuilder().endpoints(all).build() : null;
      }
    }
  }

  /**
   * gRFC A28 / Envoy: exact, then the longest suffix wildcard, then the longest prefix wildcard,
   * then {@code *}.
   */
  static VirtualHost matchVirtualHost(List<VirtualHost> hosts, String authority) {
    String host = authority.toLowerCase(Locale.ROOT);
    VirtualHost best = null;
    int bestRank = Integer.MAX_VALUE;
    int bestLength = -1;
    for (VirtualHost vh : hosts) {
      for (String raw : vh.domains()) {
        String d = raw.toLowerCase(Locale.ROOT);
        int rank;
        if (d.equals("*")) {
          rank = 3;
        } else if (d.startsWith("*") && host.endsWith(d.substring(1))) {
          rank = 1;
        } else if (d.endsWith("*") && host.startsWith(d.substring(0, d.length() - 1))) {
          rank = 2;
        } else if (d.equals(host)) {
          rank = 0;
        } else {
          continue;
        }
        if (rank < bestRank || (rank == bestRank && d.length() > bestLength)) {
          best = vh;
          bestRank = rank;
          bestLength = d.length();
        }
      }
    }
    return best;
  }
}
