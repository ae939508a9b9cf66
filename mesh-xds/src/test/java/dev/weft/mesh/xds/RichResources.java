package dev.weft.mesh.xds;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import dev.weft.mesh.testing.xds.Resources;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.envoyproxy.envoy.type.v3.Int64Range;

/**
 * Valid resources that use many of the supported fields, as seeds for mutation and translation
 * tests.
 */
final class RichResources {
  static final String LISTENER = "reviews.default.svc.cluster.local:9080";
  static final String ROUTES = "reviews-routes";
  static final String V1 = "outbound|9080|v1|reviews.default.svc.cluster.local";
  static final String V2 = "outbound|9080|v2|reviews.default.svc.cluster.local";

  private RichResources() {}

  static Listener listener() {
    HttpConnectionManager hcm;
    try {
      hcm =
          Resources.rdsListener(LISTENER, ROUTES)
              .getApiListener()
              .getApiListener()
              .unpack(HttpConnectionManager.class);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
    hcm =
        hcm.toBuilder()
            .setCommonHttpProtocolOptions(
                HttpProtocolOptions.newBuilder()
                    .setMaxStreamDuration(Duration.newBuilder().setSeconds(20)))
            .clearHttpFilters()
            .addHttpFilters(
                HttpFilter.newBuilder()
                    .setName("envoy.filters.http.fault")
                    .setTypedConfig(Any.pack(HTTPFault.getDefaultInstance())))
            .addHttpFilters(
                HttpFilter.newBuilder()
                    .setName("envoy.filters.http.router")
                    .setTypedConfig(Any.pack(Router.getDefaultInstance())))
            .build();
    return Listener.newBuilder()
        .setName(LISTENER)
        .setApiListener(ApiListener.newBuilder().setApiListener(Any.pack(hcm)))
        .build();
  }

  static RouteConfiguration routes() {
    HTTPFault fault =
        HTTPFault.newBuilder()
            .setDelay(
                FaultDelay.newBuilder()
                    .setFixedDelay(Duration.newBuilder().setNanos(5_000_000))
                    .setPercentage(FractionalPercent.newBuilder().setNumerator(10)))
            .setAbort(
                FaultAbort.newBuilder()
                    .setGrpcStatus(14)
                    .setPercentage(FractionalPercent.newBuilder().setNumerator(5)))
            .build();
    Route canary =
        Route.newBuilder()
            .setName("canary")
            .setMatch(
                RouteMatch.newBuilder()
                    .setPrefix("/reviews.Reviews/")
                    .setCaseSensitive(BoolValue.of(false))
                    .addHeaders(
                        HeaderMatcher.newBuilder()
                            .setName("end-user")
                            .setStringMatch(StringMatcher.newBuilder().setExact("jason")))
                    .addHeaders(
                        HeaderMatcher.newBuilder().setName("x-canary").setPresentMatch(true))
                    .addHeaders(
                        HeaderMatcher.newBuilder()
                            .setName("x-tier")
                            .setRangeMatch(Int64Range.newBuilder().setStart(1).setEnd(10)))
                    .addHeaders(
                        HeaderMatcher.newBuilder()
                            .setName("x-block")
                            .setExactMatch("yes")
                            .setInvertMatch(true)))
            .setRoute(
                RouteAction.newBuilder()
                    .setCluster(V2)
                    .setTimeout(Duration.newBuilder().setSeconds(3))
                    .setRetryPolicy(
                        RetryPolicy.newBuilder()
                            .setRetryOn("unavailable,cancelled,5xx")
                            .setNumRetries(UInt32Value.of(2))
                            .setRetryBackOff(
                                RetryPolicy.RetryBackOff.newBuilder()
                                    .setBaseInterval(Duration.newBuilder().setNanos(50_000_000))))
                    .addHashPolicy(
                        RouteAction.HashPolicy.newBuilder()
                            .setHeader(
                                RouteAction.HashPolicy.Header.newBuilder()
                                    .setHeaderName("x-user"))))
            .putTypedPerFilterConfig("envoy.filters.http.fault", Any.pack(fault))
            .build();
    Route regex =
        Route.newBuilder()
            .setName("regex")
            .setMatch(
                RouteMatch.newBuilder()
                    .setSafeRegex(
                        RegexMatcher.newBuilder().setRegex("/reviews\\.Reviews/(Get|List)")))
            .setRoute(
                RouteAction.newBuilder()
                    .setCluster(V1)
                    .setMaxStreamDuration(
                        RouteAction.MaxStreamDuration.newBuilder()
                            .setMaxStreamDuration(Duration.newBuilder().setSeconds(2))))
            .build();
    Route split =
        Route.newBuilder()
            .setName("split")
            .setMatch(RouteMatch.newBuilder().setPrefix(""))
            .setRoute(
                RouteAction.newBuilder()
                    .setWeightedClusters(
                        WeightedCluster.newBuilder()
                            .addClusters(
                                WeightedCluster.ClusterWeight.newBuilder()
                                    .setName(V1)
                                    .setWeight(UInt32Value.of(70)))
                            .addClusters(
                                WeightedCluster.ClusterWeight.newBuilder()
                                    .setName(V2)
                                    .setWeight(UInt32Value.of(30)))))
            .build();
    return RouteConfiguration.newBuilder()
        .setName(ROUTES)
        .addVirtualHosts(VirtualHost.newBuilder().setName("other").addDomains("*"))
        .addVirtualHosts(
            VirtualHost.newBuilder()
                .setName("reviews")
                .addDomains(LISTENER)
                .addDomains("reviews")
                .addRoutes(canary)
                .addRoutes(regex)
                .addRoutes(split))
        .build();
  }

  static Cluster cluster(String name) {
    return Resources.edsCluster(name).toBuilder()
        .setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST)
        .setLeastRequestLbConfig(
            Cluster.LeastRequestLbConfig.newBuilder().setChoiceCount(UInt32Value.of(3)))
        .setCircuitBreakers(
            CircuitBreakers.newBuilder()
                .addThresholds(
                    CircuitBreakers.Thresholds.newBuilder()
                        .setMaxRequests(UInt32Value.of(100))
                        .setMaxPendingRequests(UInt32Value.of(10))
                        .setMaxRetries(UInt32Value.of(3))))
        .setOutlierDetection(
            OutlierDetection.newBuilder()
                .setConsecutive5Xx(UInt32Value.of(7))
                .setInterval(Duration.newBuilder().setSeconds(5))
                .setBaseEjectionTime(Duration.newBuilder().setSeconds(15))
                .setMaxEjectionPercent(UInt32Value.of(50))
                .setEnforcingFailurePercentage(UInt32Value.of(100)))
        .build();
  }

  static ClusterLoadAssignment endpoints(String name, int basePort) {
    return ClusterLoadAssignment.newBuilder()
        .setClusterName(name)
        .addEndpoints(locality("us-east1-b", 0, 3, basePort, basePort + 1))
        .addEndpoints(locality("us-east1-c", 0, 1, basePort + 2))
        .addEndpoints(locality("us-west1-a", 1, 1, basePort + 3))
        .build();
  }

  private static LocalityLbEndpoints locality(String zone, int priority, int weight, int... ports) {
    LocalityLbEndpoints.Builder b =
        LocalityLbEndpoints.newBuilder()
            .setLocality(
                Locality.newBuilder()
                    .setRegion(zone.substring(0, zone.lastIndexOf('-')))
                    .setZone(zone))
            .setPriority(priority)
            .setLoadBalancingWeight(UInt32Value.of(weight));
    for (int port : ports) {
      b.addLbEndpoints(
          LbEndpoint.newBuilder()
              .setEndpoint(
                  Endpoint.newBuilder()
                      .setAddress(
                          Address.newBuilder()
                              .setSocketAddress(
                                  SocketAddress.newBuilder()
                                      .setAddress("127.0.0.1")
                                      .setPortValue(port))))
              .setLoadBalancingWeight(UInt32Value.of(port % 2 + 1)));
    }
    return b.build();
  }
}
