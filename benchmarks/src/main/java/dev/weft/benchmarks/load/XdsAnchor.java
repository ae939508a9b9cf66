package dev.weft.benchmarks.load;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
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
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The anchor for grpc-java's own proxyless xDS channel: Envoy's java-control-plane on loopback
 * serving a listener, route, EDS cluster and endpoint for one service, and an {@code xds:///}
 * channel bootstrapped from the {@code io.grpc.xds.bootstrapConfig} system property.
 */
final class XdsAnchor implements AutoCloseable {
  private final Server controlPlane;
  final ManagedChannel channel;

  XdsAnchor(String service, int backendPort) throws IOException {
    SimpleCache<String> cache = new SimpleCache<>(node -> "all");
    V3DiscoveryServer discovery = new V3DiscoveryServer(cache);
    controlPlane =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(discovery.getAggregatedDiscoveryServiceImpl())
            .build()
            .start();
    ConfigSource ads =
        ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance()).build();
    HttpConnectionManager hcm =
        HttpConnectionManager.newBuilder()
            .setRds(Rds.newBuilder().setRouteConfigName(service + "-route").setConfigSource(ads))
            .addHttpFilters(
                HttpFilter.newBuilder()
                    .setName("envoy.filters.http.router")
                    .setTypedConfig(Any.pack(Router.getDefaultInstance())))
            .build();
    Listener listener =
        Listener.newBuilder()
            .setName(service)
            .setApiListener(ApiListener.newBuilder().setApiListener(Any.pack(hcm)))
            .build();
    RouteConfiguration route =
        RouteConfiguration.newBuilder()
            .setName(service + "-route")
            .addVirtualHosts(
                VirtualHost.newBuilder()
                    .setName(service)
                    .addDomains(service)
                    .addRoutes(
                        Route.newBuilder()
                            .setMatch(RouteMatch.newBuilder().setPrefix(""))
                            .setRoute(RouteAction.newBuilder().setCluster(service))))
            .build();
    Cluster cluster =
        Cluster.newBuilder()
            .setName(service)
            .setType(Cluster.DiscoveryType.EDS)
            .setEdsClusterConfig(
                Cluster.EdsClusterConfig.newBuilder().setServiceName(service).setEdsConfig(ads))
            .setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN)
            .build();
    ClusterLoadAssignment endpoints =
        ClusterLoadAssignment.newBuilder()
            .setClusterName(service)
            .addEndpoints(
                LocalityLbEndpoints.newBuilder()
                    .setLoadBalancingWeight(UInt32Value.of(1))
                    .addLbEndpoints(
                        LbEndpoint.newBuilder()
                            .setEndpoint(
                                Endpoint.newBuilder()
                                    .setAddress(
                                        Address.newBuilder()
                                            .setSocketAddress(
                                                SocketAddress.newBuilder()
                                                    .setAddress("127.0.0.1")
                                                    .setPortValue(backendPort))))))
            .build();
    cache.setSnapshot(
        "all",
        Snapshot.create(
            List.of(cluster),
            List.of(endpoints),
            List.of(listener),
            List.of(route),
            List.of(),
            "1"));
    System.setProperty(
        "io.grpc.xds.bootstrapConfig",
        """
        {"xds_servers": [{"server_uri": "127.0.0.1:%d", "channel_creds": [{"type": "insecure"}],
          "server_features": ["xds_v3"]}],
         "node": {"id": "weft-bench", "cluster": "weft-bench"}}"""
            .formatted(controlPlane.getPort()));
    channel =
        Grpc.newChannelBuilder("xds:///" + service, InsecureChannelCredentials.create()).build();
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    controlPlane.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
