package dev.weft.samples.controlplane;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.FaultInjection;
import dev.weft.mesh.api.config.HashPolicy;
import dev.weft.mesh.api.config.HeaderMatch;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.MirrorPolicy;
import dev.weft.mesh.api.config.PathMatch;
import dev.weft.mesh.api.config.RetryOn;
import dev.weft.mesh.api.config.RetryPolicy;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.api.config.Subset;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Turns a Weft {@link MeshConfig} into the Envoy v3 resources a proxyless client reads over ADS, in
 * the shapes Istio generates and {@code mesh-xds}'s {@code XdsConfigSource} reads back into the
 * same model (docs/xds.md lists the fields it reads; docs/istio.md what this translation leaves
 * out).
 *
 * <ul>
 *   <li>One API {@link Listener} per service (and per cluster that no service is named after, with
 *       one route {@code default} to the cluster: see {@link #servedServices}), named after it,
 *       whose HTTP connection manager asks for a {@link RouteConfiguration} of the same name over
 *       ADS and carries the fault filter and the router.
 *   <li>One virtual host per service, its domains the service name and {@code *}, with the
 *       service's routes in order: path ({@code prefix}, {@code path} or {@code safe_regex}, with
 *       {@code case_sensitive}) and header matches; a route that matches several methods becomes
 *       one Envoy route per method, each with a {@code :method} exact match, since Envoy's header
 *       matchers all have to match; {@code cluster} or {@code weighted_clusters}; {@code
 *       max_stream_duration} and {@code timeout}; a retry policy ({@code retry_on}, {@code
 *       num_retries}, {@code per_try_timeout}, {@code retry_back_off}, {@code
 *       retriable_status_codes}); header hash policies; request mirror policies; and faults as
 *       per-route {@code HTTPFault} overrides of the listener's fault filter.
 *   <li>One EDS {@link io.envoyproxy.envoy.config.cluster.v3.Cluster} per cluster and one more per
 *       subset ({@code reviews|v2}) holding the subset's endpoints, since xDS destinations have no
 *       subsets (Istio makes one cluster per subset too); each with its {@code lb_policy} and
 *       options ({@code least_request_lb_config.choice_count}, {@code ring_hash_lb_config} ring
 *       sizes, {@code maglev_lb_config.table_size}), {@code common_lb_config} (locality-weighted
 *       balancing, panic threshold), circuit breakers, outlier detection, connect timeout and an
 *       {@code UpstreamTlsContext} transport socket.
 *   <li>A {@link ClusterLoadAssignment} for each: endpoints grouped by priority and locality, with
 *       their health, weight and labels (as {@code istio} filter metadata), priorities renumbered
 *       0, 1, 2… in order (Envoy requires them contiguous), and the overprovisioning factor.
 * </ul>
 *
 * <p>TLS: a certificate and CA given as files become {@code tls_certificates} and {@code
 * trusted_ca} file names; mutual TLS without a certificate file (the mesh's own workload identity)
 * names the certificate provider instance {@value #IDENTITY_PROVIDER_INSTANCE}, which the client's
 * bootstrap must declare (as Istio's does). Server-only TLS sends no client certificate.
 *
 * <p>Left out, because Weft's xDS client reads no xDS form of them (a client of this control plane
 * gets the model's defaults): hedging policies (Envoy's {@code hedge_policy} means something else),
 * local rate limits, retry budgets (Envoy's {@code retry_budget} bounds concurrent retries, not a
 * rate), slow start, {@code retryNonIdempotent}, call-key hash policies, load-balancing policies
 * other than the five built in (round robin is served instead) and their options other than the
 * ones above, and authorization policies. Also: a cluster that no route names is served but never
 * requested by a client; endpoint weights above {@code 2^31 / 1024} reach Weft capped there;
 * durations above 100 days reach it as 100 days; percentages are carried in millionths; outlier
 * detection's success-rate standard-deviation factor in thousandths; an overprovisioning factor
 * above 100000 % is sent as 100000 %.
 *
 * <p>A configuration this translation cannot serve faithfully is refused with an {@link
 * IllegalArgumentException} that names where: header matches on pseudo-headers such as {@code
 * :authority} (Weft's client refuses them; methods go in the route's methods), and subsets whose
 * {@code cluster|subset} name is also the name of another cluster.
 */
public final class MeshToXds {
  static final String FAULT_FILTER = "envoy.filters.http.fault";

  /** The certificate provider instance that stands for the mesh's own workload identity. */
  public static final String IDENTITY_PROVIDER_INSTANCE = "default";

  static final String TLS_SOCKET = "envoy.transport_sockets.tls";

  /** The largest overprovisioning factor (percent) Weft's client accepts. */
  static final int MAX_OVERPROVISIONING_FACTOR = 100_000;

  private static final long MAX_PROTO_SECONDS = 315_576_000_000L;
  static final ConfigSource ADS =
      ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance()).build();

  /** The xDS name of a destination's cluster: the cluster, or {@code cluster|subset}. */
  public static String clusterName(String cluster, String subset) {
    return subset == null || subset.isEmpty() ? cluster : cluster + "|" + subset;
  }

  /**
   * A snapshot of every resource for {@code config}, with {@code version} on each type.
   *
   * @throws IllegalArgumentException when {@code config} holds something this translation cannot
   *     serve faithfully (see the class description)
   */
  public static Snapshot snapshot(MeshConfig config, String version) {
    check(config);
    List<Listener> listeners = new ArrayList<>();
    List<RouteConfiguration> routes = new ArrayList<>();
    for (Service service : servedServices(config)) {
      listeners.add(listener(service.name()));
      routes.add(routeConfiguration(service));
    }
    List<io.envoyproxy.envoy.config.cluster.v3.Cluster> clusters = new ArrayList<>();
    List<ClusterLoadAssignment> assignments = new ArrayList<>();
    for (Cluster cluster : config.clusters()) {
      clusters.add(ClusterResources.cluster(cluster, clusterName(cluster.name(), "")));
      assignments.add(ClusterResources.assignment(clusterName(cluster.name(), ""), cluster, null));
      for (Subset subset : cluster.subsets()) {
        String name = clusterName(cluster.name(), subset.name());
        clusters.add(ClusterResources.cluster(cluster, name));
        assignments.add(ClusterResources.assignment(name, cluster, subset));
      }
    }
    return Snapshot.create(clusters, assignments, listeners, routes, List.of(), version);
  }

  /**
   * The services a client can call: the configuration's, then one for every cluster that no service
   * is named after, with one route {@code default} to it (the mesh makes such a cluster reachable
   * as a service of its own name; over xDS a client needs a listener to find it).
   */
  public static List<Service> servedServices(MeshConfig config) {
    List<Service> services = new ArrayList<>(config.services());
    for (Cluster cluster : config.clusters()) {
      if (config.service(cluster.name()).isEmpty()) {
        services.add(
            new Service(
                cluster.name(),
                List.of(
                    Route.builder("default")
                        .destinations(Destination.of(cluster.name()))
                        .build())));
      }
    }
    return services;
  }

  private static void check(MeshConfig config) {
    List<String> problems = new ArrayList<>();
    for (Service service : config.services()) {
      for (Route route : service.routes()) {
        for (HeaderMatch h : route.match().headers()) {
          if (h.name().startsWith(":")) {
            problems.add(
                String.format(
                    "services.%s.routes.%s.match.headers: a match on the pseudo-header '%s' has no xDS form "
                        + "Weft's client reads (methods go in the route's methods)",
                    service.name(), route.name(), h.name()));
          }
        }
      }
    }
    Map<String, String> names = new HashMap<>();
    for (Cluster cluster : config.clusters()) {
      names.put(cluster.name(), "clusters." + cluster.name());
    }
    for (Cluster cluster : config.clusters()) {
      for (Subset subset : cluster.subsets()) {
        String name = clusterName(cluster.name(), subset.name());
        String previous =
            names.putIfAbsent(name, "clusters." + cluster.name() + ".subsets." + subset.name());
        if (previous != null) {
          problems.add(
              String.format(
                  "clusters.%s.subsets.%s: its xDS cluster name '%s' is taken by %s",
                  cluster.name(), subset.name(), name, previous));
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "cannot serve the configuration over xDS: " + String.join("; ", problems));
    }
  }

  static Listener listener(String service) {
    HttpConnectionManager hcm =
        HttpConnectionManager.newBuilder()
            .setRds(Rds.newBuilder().setRouteConfigName(service).setConfigSource(ADS))
            .addHttpFilters(
                HttpFilter.newBuilder()
                    .setName(FAULT_FILTER)
                    .setTypedConfig(Any.pack(HTTPFault.getDefaultInstance())))
            .addHttpFilters(
                HttpFilter.newBuilder()
                    .setName("envoy.filters.http.router")
                    .setTypedConfig(Any.pack(Router.getDefaultInstance())))
            .build();
    return Listener.newBuilder()
        .setName(service)
        .setApiListener(ApiListener.newBuilder().setApiListener(Any.pack(hcm)))
        .build();
  }

  static RouteConfiguration routeConfiguration(Service service) {
    VirtualHost.Builder host =
        VirtualHost.newBuilder().setName(service.name()).addDomains(service.name()).addDomains("*");
    for (Route route : service.routes()) {
      List<String> methods = route.match().methods();
      if (methods.size() <= 1) {
        host.addRoutes(route(route, methods));
      } else {
        for (String method : methods) {
          host.addRoutes(route(route, List.of(method)));
        }
      }
    }
    return RouteConfiguration.newBuilder().setName(service.name()).addVirtualHosts(host).build();
  }

  private static io.envoyproxy.envoy.config.route.v3.Route route(
      Route route, List<String> methods) {
    io.envoyproxy.envoy.config.route.v3.Route.Builder out =
        io.envoyproxy.envoy.config.route.v3.Route.newBuilder().setName(route.name());
    out.setMatch(match(route, methods));
    RouteAction.Builder action = RouteAction.newBuilder();
    List<Destination> destinations = route.destinations();
    if (destinations.size() == 1) {
      action.setCluster(clusterName(destinations.get(0).cluster(), destinations.get(0).subset()));
    } else {
      WeightedCluster.Builder weighted = WeightedCluster.newBuilder();
      for (Destination d : destinations) {
        weighted.addClusters(
            WeightedCluster.ClusterWeight.newBuilder()
                .setName(clusterName(d.cluster(), d.subset()))
                .setWeight(UInt32Value.of(d.weight())));
      }
      action.setWeightedClusters(weighted);
    }
    // gRPC reads max_stream_duration (gRFC A31), Envoy timeout: both say the same.
    action.setTimeout(duration(route.timeout()));
    action.setMaxStreamDuration(
        RouteAction.MaxStreamDuration.newBuilder().setMaxStreamDuration(duration(route.timeout())));
    if (route.retry().enabled() && !route.retry().retryOn().isEmpty()) {
      action.setRetryPolicy(retry(route.retry()));
    }
    for (HashPolicy hash : route.hashPolicies()) {
      if (hash.kind() == HashPolicy.Kind.HEADER) {
        action.addHashPolicy(
            RouteAction.HashPolicy.newBuilder()
                .setTerminal(hash.terminal())
                .setHeader(RouteAction.HashPolicy.Header.newBuilder().setHeaderName(hash.name())));
      }
    }
    for (MirrorPolicy mirror : route.mirrors()) {
      action.addRequestMirrorPolicies(
          RouteAction.RequestMirrorPolicy.newBuilder()
              .setCluster(clusterName(mirror.cluster(), mirror.subset()))
              .setRuntimeFraction(
                  RuntimeFractionalPercent.newBuilder()
                      .setDefaultValue(percent(mirror.percent()))));
    }
    out.setRoute(action);
    if (!route.fault().equals(FaultInjection.NONE)) {
      out.putTypedPerFilterConfig(FAULT_FILTER, Any.pack(fault(route.fault())));
    }
    return out.build();
  }

  private static RouteMatch match(Route route, List<String> methods) {
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
      if (path.kind() != PathMatch.Kind.REGEX) {
        match.setCaseSensitive(BoolValue.of(!path.ignoreCase()));
      }
    }
    for (HeaderMatch header : route.match().headers()) {
      match.addHeaders(header(header));
    }
    for (String method : methods) {
      match.addHeaders(
          HeaderMatcher.newBuilder()
              .setName(":method")
              .setStringMatch(StringMatcher.newBuilder().setExact(method)));
    }
    return match.build();
  }

  private static HeaderMatcher header(HeaderMatch h) {
    HeaderMatcher.Builder m =
        HeaderMatcher.newBuilder().setName(h.name()).setInvertMatch(h.invert());
    StringMatcher.Builder s = StringMatcher.newBuilder().setIgnoreCase(h.ignoreCase());
    switch (h.kind()) {
      case EXACT -> m.setStringMatch(s.setExact(h.value()));
      case PREFIX -> m.setStringMatch(s.setPrefix(h.value()));
      case SUFFIX -> m.setStringMatch(s.setSuffix(h.value()));
      case CONTAINS -> m.setStringMatch(s.setContains(h.value()));
      case REGEX ->
          m.setStringMatch(
              StringMatcher.newBuilder()
                  .setSafeRegex(RegexMatcher.newBuilder().setRegex(h.value())));
      case PRESENT -> m.setPresentMatch(true);
      case RANGE ->
          m.setRangeMatch(Int64Range.newBuilder().setStart(h.rangeStart()).setEnd(h.rangeEnd()));
    }
    return m.build();
  }

  private static io.envoyproxy.envoy.config.route.v3.RetryPolicy retry(RetryPolicy retry) {
    io.envoyproxy.envoy.config.route.v3.RetryPolicy.Builder out =
        io.envoyproxy.envoy.config.route.v3.RetryPolicy.newBuilder()
            .setRetryOn(
                retry.retryOn().stream()
                    .map(RetryOn::configName)
                    .sorted()
                    .collect(Collectors.joining(",")))
            .setNumRetries(UInt32Value.of(retry.maxAttempts() - 1))
            .setRetryBackOff(
                io.envoyproxy.envoy.config.route.v3.RetryPolicy.RetryBackOff.newBuilder()
                    .setBaseInterval(duration(retry.initialBackoff()))
                    .setMaxInterval(duration(retry.maxBackoff())));
    if (!retry.perTryTimeout().isZero()) {
      out.setPerTryTimeout(duration(retry.perTryTimeout()));
    }
    retry.retriableStatusCodes().stream().sorted().forEach(out::addRetriableStatusCodes);
    return out.build();
  }

  private static HTTPFault fault(FaultInjection fault) {
    HTTPFault.Builder out = HTTPFault.newBuilder();
    if (!fault.delay().equals(FaultInjection.Delay.NONE)) {
      out.setDelay(
          FaultDelay.newBuilder()
              .setFixedDelay(duration(fault.delay().fixedDelay()))
              .setPercentage(percent(fault.delay().percent())));
    }
    if (!fault.abort().equals(FaultInjection.Abort.NONE)) {
      FaultAbort.Builder abort =
          FaultAbort.newBuilder().setPercentage(percent(fault.abort().percent()));
      String grpc = fault.abort().grpcStatus();
      if (!grpc.isEmpty()) {
        abort.setGrpcStatus(Status.Code.valueOf(grpc.toUpperCase(Locale.ROOT)).value());
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

  static FractionalPercent percent(double percent) {
    return FractionalPercent.newBuilder()
        .setNumerator((int) Math.round(percent * 10_000))
        .setDenominator(FractionalPercent.DenominatorType.MILLION)
        .build();
  }

  /** A protobuf duration, at most the largest one protobuf allows (about 10000 years). */
  static com.google.protobuf.Duration duration(Duration d) {
    if (d.getSeconds() >= MAX_PROTO_SECONDS) {
      return com.google.protobuf.Duration.newBuilder().setSeconds(MAX_PROTO_SECONDS).build();
    }
    return com.google.protobuf.Duration.newBuilder()
        .setSeconds(d.getSeconds())
        .setNanos(d.getNano())
        .build();
  }

  private MeshToXds() {}
}
