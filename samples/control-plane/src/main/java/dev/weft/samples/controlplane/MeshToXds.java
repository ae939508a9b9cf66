package dev.weft.samples.controlplane;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.FaultInjection;
import dev.weft.mesh.api.config.HeaderMatch;
import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.MirrorPolicy;
import dev.weft.mesh.api.config.PathMatch;
import dev.weft.mesh.api.config.RetryOn;
import dev.weft.mesh.api.config.RetryPolicy;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.api.config.Subset;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
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
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.envoyproxy.envoy.type.v3.Int64Range;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Turns a Weft {@link MeshConfig} into the Envoy v3 resources a proxyless client reads over ADS, in
 * the shapes Istio generates and {@code mesh-discovery}'s {@code XdsConfigSource} expects:
 *
 * <ul>
 *   <li>one API {@link Listener} per service, named after it, whose HTTP connection manager asks
 *       for a {@link RouteConfiguration} of the same name over ADS and carries the fault filter
 *       and the router;
 *   <li>one virtual host per service, its domains the service name and {@code *}, with the
 *       service's routes in order (matches, weighted clusters, timeout, retry policy, mirrors, and
 *       faults as per-route {@code HTTPFault} overrides);
 *   <li>one EDS {@link io.envoyproxy.envoy.config.cluster.v3.Cluster} per cluster and one more per
 *       subset ({@code reviews|v2}), since xDS has no subsets in destinations: Istio makes one
 *       cluster per subset too; and a {@link ClusterLoadAssignment} for each with the endpoints,
 *       their labels as {@code istio} filter metadata.
 * </ul>
 *
 * <p>Not translated: hedging, hash policies, local rate limits, outlier detection, retry budgets,
 * slow start, TLS and authorization policies (so BookInfo's {@code strict-mtls} scenario needs its
 * file source).
 */
public final class MeshToXds {
  static final String FAULT_FILTER = "envoy.filters.http.fault";
  private static final ConfigSource ADS = ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance()).build();

  /** The xDS name of a destination's cluster: the cluster, or {@code cluster|subset}. */
  public static String clusterName(String cluster, String subset) {
    return subset == null || subset.isEmpty() ? cluster : cluster + "|" + subset;
  }

  /** A snapshot of every resource for {@code config}, with {@code version} on each type. */
  public static Snapshot snapshot(MeshConfig config, String version) {
    List<Listener> listeners = new ArrayList<>();
    List<RouteConfiguration> routes = new ArrayList<>();
    for (Service service : config.services()) {
      listeners.add(listener(service.name()));
      routes.add(routeConfiguration(service));
    }
    List<io.envoyproxy.envoy.config.cluster.v3.Cluster> clusters = new ArrayList<>();
    List<ClusterLoadAssignment> assignments = new ArrayList<>();
    for (Cluster cluster : config.clusters()) {
      clusters.add(cluster(cluster, clusterName(cluster.name(), "")));
      assignments.add(assignment(clusterName(cluster.name(), ""), cluster, null));
      for (Subset subset : cluster.subsets()) {
        String name = clusterName(cluster.name(), subset.name());
        clusters.add(cluster(cluster, name));
        assignments.add(assignment(name, cluster, subset));
      }
    }
    return Snapshot.create(clusters, assignments, listeners, routes, List.of(), version);
  }

  static Listener listener(String service) {
    HttpConnectionManager hcm = HttpConnectionManager.newBuilder()
        .setRds(Rds.newBuilder().setRouteConfigName(service).setConfigSource(ADS))
        .addHttpFilters(HttpFilter.newBuilder().setName(FAULT_FILTER).setTypedConfig(Any.pack(HTTPFault.getDefaultInstance())))
        .addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.router").setTypedConfig(Any.pack(Router.getDefaultInstance())))
        .build();
    return Listener.newBuilder().setName(service)
        .setApiListener(ApiListener.newBuilder().setApiListener(Any.pack(hcm))).build();
  }

  static RouteConfiguration routeConfiguration(Service service) {
    VirtualHost.Builder host = VirtualHost.newBuilder().setName(service.name()).addDomains(service.name()).addDomains("*");
    int n = 0;
    for (Route route : service.routes()) {
      host.addRoutes(route(route, route.name().isEmpty() ? "route-" + n : route.name()));
      n++;
    }
    return RouteConfiguration.newBuilder().setName(service.name()).addVirtualHosts(host).build();
  }

  private static io.envoyproxy.envoy.config.route.v3.Route route(Route route, String name) {
    io.envoyproxy.envoy.config.route.v3.Route.Builder out = io.envoyproxy.envoy.config.route.v3.Route.newBuilder().setName(name);
    out.setMatch(match(route));
    RouteAction.Builder action = RouteAction.newBuilder();
    List<Destination> destinations = route.destinations();
    if (destinations.size() == 1) {
      action.setCluster(clusterName(destinations.get(0).cluster(), destinations.get(0).subset()));
    } else {
      WeightedCluster.Builder weighted = WeightedCluster.newBuilder();
      for (Destination d : destinations) {
        weighted.addClusters(WeightedCluster.ClusterWeight.newBuilder()
            .setName(clusterName(d.cluster(), d.subset())).setWeight(UInt32Value.of(d.weight())));
      }
      action.setWeightedClusters(weighted);
    }
    if (route.timeout() != null) {
      action.setTimeout(duration(route.timeout()));
    }
    if (route.retry() != null) {
      action.setRetryPolicy(retry(route.retry()));
    }
    for (MirrorPolicy mirror : route.mirrors()) {
      action.addRequestMirrorPolicies(RouteAction.RequestMirrorPolicy.newBuilder()
          .setCluster(clusterName(mirror.cluster(), mirror.subset()))
          .setRuntimeFraction(RuntimeFractionalPercent.newBuilder().setDefaultValue(percent(mirror.percent()))));
    }
    out.setRoute(action);
    if (route.fault() != null) {
      out.putTypedPerFilterConfig(FAULT_FILTER, Any.pack(fault(route.fault())));
    }
    return out.build();
  }

  private static RouteMatch match(Route route) {
    RouteMatch.Builder match = RouteMatch.newBuilder();
    PathMatch path = route.match().path();
    if (path == null) {
      match.setPrefix("");
    } else {
      switch (path.kind()) {
        case EXACT -> match.setPath(path.value());
        case PREFIX -> match.setPrefix(path.value());
        case REGEX -> match.setSafeRegex(RegexMatcher.newBuilder().setRegex(path.value()));
      }
      match.setCaseSensitive(com.google.protobuf.BoolValue.of(!path.ignoreCase()));
    }
    for (HeaderMatch header : route.match().headers()) {
      match.addHeaders(header(header));
    }
    List<String> methods = route.match().methods();
    if (methods.size() == 1) {
      match.addHeaders(HeaderMatcher.newBuilder().setName(":method").setExactMatch(methods.get(0)));
    } else if (methods.size() > 1) {
      match.addHeaders(HeaderMatcher.newBuilder().setName(":method").setSafeRegexMatch(
          RegexMatcher.newBuilder().setRegex(String.join("|", methods))));
    }
    return match.build();
  }

  private static HeaderMatcher header(HeaderMatch h) {
    HeaderMatcher.Builder m = HeaderMatcher.newBuilder().setName(h.name()).setInvertMatch(h.invert());
    StringMatcher.Builder s = StringMatcher.newBuilder().setIgnoreCase(h.ignoreCase());
    switch (h.kind()) {
      case EXACT -> m.setStringMatch(s.setExact(h.value()));
      case PREFIX -> m.setStringMatch(s.setPrefix(h.value()));
      case SUFFIX -> m.setStringMatch(s.setSuffix(h.value()));
      case CONTAINS -> m.setStringMatch(s.setContains(h.value()));
      case REGEX -> m.setSafeRegexMatch(RegexMatcher.newBuilder().setRegex(h.value()));
      case PRESENT -> m.setPresentMatch(true);
      case RANGE -> m.setRangeMatch(Int64Range.newBuilder().setStart(h.rangeStart()).setEnd(h.rangeEnd()));
    }
    return m.build();
  }

  private static io.envoyproxy.envoy.config.route.v3.RetryPolicy retry(RetryPolicy retry) {
    io.envoyproxy.envoy.config.route.v3.RetryPolicy.Builder out = io.envoyproxy.envoy.config.route.v3.RetryPolicy.newBuilder()
        .setRetryOn(retry.retryOn().stream().map(RetryOn::configName).sorted().collect(Collectors.joining(",")))
        .setNumRetries(UInt32Value.of(Math.max(0, retry.maxAttempts() - 1)))
        .setRetryBackOff(io.envoyproxy.envoy.config.route.v3.RetryPolicy.RetryBackOff.newBuilder()
            .setBaseInterval(duration(retry.initialBackoff())).setMaxInterval(duration(retry.maxBackoff())));
    if (retry.perTryTimeout() != null) {
      out.setPerTryTimeout(duration(retry.perTryTimeout()));
    }
    retry.retriableStatusCodes().stream().sorted().forEach(out::addRetriableStatusCodes);
    return out.build();
  }

  private static HTTPFault fault(FaultInjection fault) {
    HTTPFault.Builder out = HTTPFault.newBuilder();
    if (fault.delay() != null) {
      out.setDelay(FaultDelay.newBuilder().setFixedDelay(duration(fault.delay().fixedDelay()))
          .setPercentage(percent(fault.delay().percent())));
    }
    if (fault.abort() != null) {
      FaultAbort.Builder abort = FaultAbort.newBuilder().setPercentage(percent(fault.abort().percent()));
      String grpc = fault.abort().grpcStatus();
      if (grpc != null && !grpc.isEmpty()) {
        abort.setGrpcStatus(Status.Code.valueOf(grpc.toUpperCase(java.util.Locale.ROOT)).value());
      } else {
        abort.setHttpStatus(fault.abort().httpStatus());
      }
      out.setAbort(abort);
    }
    for (HeaderMatch h : fault.headers()) {
      out.addHeaders(header(h));
    }
    return out.build();
  }

  private static io.envoyproxy.envoy.config.cluster.v3.Cluster cluster(Cluster cluster, String name) {
    io.envoyproxy.envoy.config.cluster.v3.Cluster.Builder out = io.envoyproxy.envoy.config.cluster.v3.Cluster.newBuilder()
        .setName(name)
        .setType(io.envoyproxy.envoy.config.cluster.v3.Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(io.envoyproxy.envoy.config.cluster.v3.Cluster.EdsClusterConfig.newBuilder()
            .setServiceName(name).setEdsConfig(ADS))
        .setConnectTimeout(duration(cluster.connectTimeout()))
        .setLbPolicy(lbPolicy(cluster.loadBalancing()));
    dev.weft.mesh.api.config.CircuitBreakers limits = cluster.circuitBreakers();
    if (limits != null) {
      out.setCircuitBreakers(CircuitBreakers.newBuilder().addThresholds(CircuitBreakers.Thresholds.newBuilder()
          .setPriority(RoutingPriority.DEFAULT)
          .setMaxConnections(UInt32Value.of(limits.maxConnections()))
          .setMaxPendingRequests(UInt32Value.of(limits.maxPendingRequests()))
          .setMaxRequests(UInt32Value.of(limits.maxRequests()))
          .setMaxRetries(UInt32Value.of(limits.maxRetries()))));
    }
    return out.build();
  }

  private static io.envoyproxy.envoy.config.cluster.v3.Cluster.LbPolicy lbPolicy(LoadBalancing lb) {
    String policy = lb == null ? LoadBalancing.ROUND_ROBIN : lb.policy();
    return switch (policy) {
      case LoadBalancing.LEAST_REQUEST -> io.envoyproxy.envoy.config.cluster.v3.Cluster.LbPolicy.LEAST_REQUEST;
      case LoadBalancing.RING_HASH -> io.envoyproxy.envoy.config.cluster.v3.Cluster.LbPolicy.RING_HASH;
      case LoadBalancing.MAGLEV -> io.envoyproxy.envoy.config.cluster.v3.Cluster.LbPolicy.MAGLEV;
      case LoadBalancing.RANDOM -> io.envoyproxy.envoy.config.cluster.v3.Cluster.LbPolicy.RANDOM;
      default -> io.envoyproxy.envoy.config.cluster.v3.Cluster.LbPolicy.ROUND_ROBIN;
    };
  }

  private static ClusterLoadAssignment assignment(String name, Cluster cluster, Subset subset) {
    ClusterLoadAssignment.Builder out = ClusterLoadAssignment.newBuilder().setClusterName(name);
    for (dev.weft.mesh.api.config.Endpoint e : cluster.endpoints()) {
      if (subset != null && !subset.matches(e.labels())) {
        continue;
      }
      Struct.Builder labels = Struct.newBuilder();
      for (Map.Entry<String, String> label : e.labels().entrySet()) {
        labels.putFields(label.getKey(), Value.newBuilder().setStringValue(label.getValue()).build());
      }
      out.addEndpoints(LocalityLbEndpoints.newBuilder()
          .setLocality(Locality.newBuilder().setRegion(e.locality().region()).setZone(e.locality().zone()).setSubZone(e.locality().subZone()))
          .setPriority(e.priority())
          .addLbEndpoints(LbEndpoint.newBuilder()
              .setEndpoint(Endpoint.newBuilder().setAddress(Address.newBuilder()
                  .setSocketAddress(SocketAddress.newBuilder().setAddress(e.host()).setPortValue(e.port()))))
              .setHealthStatus(health(e.health()))
              .setLoadBalancingWeight(UInt32Value.of(e.weight()))
              .setMetadata(Metadata.newBuilder().putFilterMetadata("istio", labels.build()))));
    }
    return out.build();
  }

  private static HealthStatus health(dev.weft.mesh.api.config.HealthStatus health) {
    return switch (health) {
      case UNHEALTHY -> HealthStatus.UNHEALTHY;
      case DRAINING -> HealthStatus.DRAINING;
      case DEGRADED -> HealthStatus.DEGRADED;
      default -> HealthStatus.HEALTHY;
    };
  }

  private static FractionalPercent percent(double percent) {
    return FractionalPercent.newBuilder().setNumerator((int) Math.round(percent * 10_000))
        .setDenominator(FractionalPercent.DenominatorType.MILLION).build();
  }

  private static com.google.protobuf.Duration duration(Duration d) {
    return com.google.protobuf.Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
  }

  private MeshToXds() {}
}
