package dev.weft.mesh.testing.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;

/** Envoy resources shaped like those Istio generates for proxyless gRPC clients. */
public final class Resources {
  private Resources() {}

  public static Listener rdsListener(String name, String routeConfigName) {
    HttpConnectionManager hcm =
        HttpConnectionManager.newBuilder()
            .setRds(
                Rds.newBuilder()
                    .setRouteConfigName(routeConfigName)
                    .setConfigSource(
                        ConfigSource.newBuilder()
                            .setAds(AggregatedConfigSource.getDefaultInstance())))
            .addHttpFilters(
                HttpFilter.newBuilder()
                    .setName("envoy.filters.http.router")
                    .setTypedConfig(Any.pack(Router.getDefaultInstance())))
            .build();
    return Listener.newBuilder()
        .setName(name)
        .setApiListener(ApiListener.newBuilder().setApiListener(Any.pack(hcm)))
        .build();
  }

  /** A route configuration with one virtual host for {@code domain} splitting calls by weight. */
  public static RouteConfiguration weighted(
      String name, String domain, String clusterA, int weightA, String clusterB, int weightB) {
    WeightedCluster.Builder wc = WeightedCluster.newBuilder();
    wc.addClusters(
        WeightedCluster.ClusterWeight.newBuilder()
            .setName(clusterA)
            .setWeight(UInt32Value.of(weightA)));
    wc.addClusters(
        WeightedCluster.ClusterWeight.newBuilder()
            .setName(clusterB)
            .setWeight(UInt32Value.of(weightB)));
    return RouteConfiguration.newBuilder()
        .setName(name)
        .addVirtualHosts(
            VirtualHost.newBuilder()
                .setName(domain)
                .addDomains(domain)
                .addDomains(domain.split(":")[0])
                .addRoutes(
                    Route.newBuilder()
                        .setName("default")
                        .setMatch(RouteMatch.newBuilder().setPrefix(""))
                        .setRoute(RouteAction.newBuilder().setWeightedClusters(wc))))
        .build();
  }

  public static Cluster edsCluster(String name) {
    return Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(
            Cluster.EdsClusterConfig.newBuilder()
                .setServiceName(name)
                .setEdsConfig(
                    ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance())))
        .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(10))
        .setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN)
        .build();
  }

  public static ClusterLoadAssignment endpoints(String clusterName, String version, int... ports) {
    LocalityLbEndpoints.Builder group =
        LocalityLbEndpoints.newBuilder()
            .setLocality(Locality.newBuilder().setRegion("us-east1").setZone("us-east1-b"))
            .setLoadBalancingWeight(UInt32Value.of(Math.max(1, ports.length)));
    for (int port : ports) {
      group.addLbEndpoints(
          LbEndpoint.newBuilder()
              .setEndpoint(
                  Endpoint.newBuilder()
                      .setAddress(
                          Address.newBuilder()
                              .setSocketAddress(
                                  SocketAddress.newBuilder()
                                      .setAddress("127.0.0.1")
                                      .setPortValue(port))))
              .setHealthStatus(io.envoyproxy.envoy.config.core.v3.HealthStatus.HEALTHY)
              .setMetadata(
                  Metadata.newBuilder()
                      .putFilterMetadata(
                          "istio",
                          Struct.newBuilder()
                              .putFields(
                                  "version", Value.newBuilder().setStringValue(version).build())
                              .build()))
              .setLoadBalancingWeight(UInt32Value.of(1)));
    }
    return ClusterLoadAssignment.newBuilder()
        .setClusterName(clusterName)
        .addEndpoints(group)
        .build();
  }
}
