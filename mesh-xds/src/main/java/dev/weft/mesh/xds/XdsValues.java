package dev.weft.mesh.xds;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.FaultInjection;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.security.AuthorizationPolicy;
import dev.weft.mesh.api.security.PathNormalization;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The parsed, validated xDS resources: immutable values with no proto left in them. */
final class XdsValues {
  private XdsValues() {}

  /**
   * A listener with an HTTP connection manager.
   *
   * @param rdsName the route configuration to fetch, or empty when {@code inlineRoutes} is given
   * @param inlineRoutes the route configuration carried inline, or null
   * @param maxStreamDuration the default call timeout (HCM common_http_protocol_options), zero for
   *     none
   * @param faultFilterName the name of the fault filter in the filter chain, or empty when there is
   *     none
   * @param fault the fault filter's own configuration (applies where no route or virtual host
   *     overrides it)
   * @param server whether this is the server listener of this process (then only {@code policies}
   *     matters)
   * @param policies the authorization policies a server listener's RBAC filters translate to
   * @param normalization how a server listener's HttpConnectionManager normalizes paths
   */
  record Listener(
      String name,
      String rdsName,
      RouteConfig inlineRoutes,
      Duration maxStreamDuration,
      String faultFilterName,
      FaultInjection fault,
      boolean server,
      List<AuthorizationPolicy> policies,
      PathNormalization normalization) {
    Listener {
      policies = List.copyOf(policies);
    }

    /** A client-side listener. */
    Listener(
        String name,
        String rdsName,
        RouteConfig inlineRoutes,
        Duration maxStreamDuration,
        String faultFilterName,
        FaultInjection fault) {
      this(
          name,
          rdsName,
          inlineRoutes,
          maxStreamDuration,
          faultFilterName,
          fault,
          false,
          List.of(),
          PathNormalization.DEFAULT);
    }

    /** The server listener of this process. */
    static Listener server(
        String name, List<AuthorizationPolicy> policies, PathNormalization normalization) {
      return new Listener(
          name, "", null, Duration.ZERO, "", FaultInjection.NONE, true, policies, normalization);
    }
  }

  /** A route configuration. */
  record RouteConfig(String name, List<VirtualHost> virtualHosts) {
    RouteConfig {
      virtualHosts = List.copyOf(virtualHosts);
    }
  }

  /** A virtual host: its domains, ordered routes and fault overrides by filter name. */
  record VirtualHost(
      String name,
      List<String> domains,
      List<XdsRoute> routes,
      Map<String, FaultInjection> faults) {
    VirtualHost {
      domains = List.copyOf(domains);
      routes = List.copyOf(routes);
      faults = Map.copyOf(faults);
    }
  }

  /**
   * A route already in the Weft model, with what the listener may still fill in.
   *
   * @param route the route; its timeout is the route's own when {@code hasTimeout}
   * @param hasTimeout whether the route set a timeout of its own (max_stream_duration or timeout)
   * @param faults fault overrides by filter name
   */
  record XdsRoute(Route route, boolean hasTimeout, Map<String, FaultInjection> faults) {
    XdsRoute {
      faults = Map.copyOf(faults);
    }
  }

  /** How a cluster finds its endpoints. */
  enum ClusterKind {
    EDS,
    STATIC,
    DNS,
    AGGREGATE
  }

  /**
   * A cluster: policies in {@code cluster} (with no endpoints), endpoints from EDS, inline or
   * children.
   *
   * @param edsServiceName the EDS resource to fetch, for {@code EDS}
   * @param endpoints the inline endpoints, for {@code STATIC} and {@code DNS}
   * @param children the clusters in priority order, for {@code AGGREGATE}
   */
  record XdsCluster(
      String name,
      ClusterKind kind,
      String edsServiceName,
      List<Endpoint> endpoints,
      List<String> children,
      Cluster cluster) {
    XdsCluster {
      endpoints = List.copyOf(endpoints);
      children = List.copyOf(children);
    }
  }

  /**
   * A ClusterLoadAssignment.
   *
   * @param overprovisioningFactor the factor in percent, or 0 when not given
   */
  record Endpoints(String name, List<Endpoint> endpoints, int overprovisioningFactor) {
    Endpoints {
      endpoints = List.copyOf(endpoints);
    }
  }
}
