package dev.weft.samples.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.FaultInjection;
import dev.weft.mesh.api.config.HashPolicy;
import dev.weft.mesh.api.config.HeaderMatch;
import dev.weft.mesh.api.config.HedgingPolicy;
import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.config.LocalRateLimit;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.MirrorPolicy;
import dev.weft.mesh.api.config.OutlierDetection;
import dev.weft.mesh.api.config.RetryBudget;
import dev.weft.mesh.api.config.RetryPolicy;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.RouteMatch;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.api.config.SlowStart;
import dev.weft.mesh.api.config.Subset;
import dev.weft.mesh.api.config.TlsSettings;
import dev.weft.mesh.xds.XdsResourceReader;
import dev.weft.mesh.xds.bootstrap.Bootstrap;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a configuration looks like once served by {@link MeshToXds} and read back by Weft's xDS
 * client: the documented normalisation the round trip is compared with. Every field with an xDS
 * form is kept as it is; the rest is changed here, each rule with its reason:
 *
 * <ul>
 *   <li>A cluster that no service is named after comes back with a service of its name too, whose
 *       one route {@code default} goes to it: what the mesh does for such a cluster, made explicit.
 *   <li>Subsets become clusters named {@code cluster|subset} holding the subset's endpoints, and
 *       destinations and mirrors name them; a single destination has weight 1 (xDS {@code
 *       cluster}).
 *   <li>Only clusters a route or mirror names come back (the client requests nothing else); they
 *       are compared by name, in name order.
 *   <li>A route with several methods becomes one route per method, renamed as the client renames
 *       repeated names ({@code name-<index>}); white space in route names becomes {@code _}.
 *   <li>Left out: hedging, local rate limits, retry budgets, slow start, {@code
 *       retryNonIdempotent}, call-key hash policies, unknown load-balancing policies (round robin
 *       comes back) and options other than {@code choiceCount}, {@code minRingSize}, {@code
 *       maxRingSize} and {@code tableSize}; authorization policies (another translation's concern).
 *   <li>Header matches: {@code -bin} headers are dropped from route matches (gRFC A28); present and
 *       range matches lose their (meaningless) {@code ignoreCase}.
 *   <li>A retry policy that never retries comes back as {@link RetryPolicy#NONE}; header hash
 *       policy names in lower case; a gRPC fault abort with HTTP status 503.
 *   <li>Precision: percentages in millionths, the success-rate standard deviation factor in
 *       thousandths, durations at most 100 days, endpoint weights at most {@code 2^31 / 1024},
 *       overprovisioning factor at most 100000 %, priorities renumbered 0, 1, 2… in order and
 *       endpoints grouped by priority and locality in order of first appearance.
 *   <li>TLS: server-only TLS sends no client certificate; mutual TLS without a certificate file
 *       comes back with the files of the bootstrap's {@link MeshToXds#IDENTITY_PROVIDER_INSTANCE}
 *       instance; disabled TLS is {@link TlsSettings#DISABLED}; outlier detection that is off is
 *       {@link OutlierDetection#DISABLED}.
 * </ul>
 */
public final class XdsForm {
  /** The identity certificate provider instance of the reading client's bootstrap. */
  public static final Bootstrap.CertificateProvider IDENTITY =
      new Bootstrap.CertificateProvider(
          MeshToXds.IDENTITY_PROVIDER_INSTANCE,
          "file_watcher",
          "/var/run/weft/cert-chain.pem",
          "/var/run/weft/key.pem",
          "/var/run/weft/root-cert.pem",
          Duration.ofMinutes(15));

  static final Duration MAX_DURATION = Duration.ofDays(100);
  static final int MAX_ENDPOINT_WEIGHT = Integer.MAX_VALUE / 1024;

  private XdsForm() {}

  /**
   * {@code config} served by {@link MeshToXds} and read back by a client watching every service,
   * clusters in name order.
   */
  public static MeshConfig roundTrip(MeshConfig config) {
    List<String> services = MeshToXds.servedServices(config).stream().map(Service::name).toList();
    Snapshot snapshot = MeshToXds.snapshot(config, "1");
    List<com.google.protobuf.Message> resources = new ArrayList<>();
    resources.addAll(snapshot.listeners().resources().values());
    resources.addAll(snapshot.routes().resources().values());
    resources.addAll(snapshot.clusters().resources().values());
    resources.addAll(snapshot.endpoints().resources().values());
    MeshConfig read;
    try {
      read =
          XdsResourceReader.read(
              resources,
              services,
              config.version(),
              Map.of(MeshToXds.IDENTITY_PROVIDER_INSTANCE, IDENTITY));
    } catch (dev.weft.mesh.api.config.InvalidConfigException e) {
      throw new AssertionError(
          "the client would not take the control plane's resources: " + e.getMessage(), e);
    }
    return new MeshConfig(
        read.version(),
        read.services(),
        read.clusters().stream().sorted(Comparator.comparing(Cluster::name)).toList(),
        read.authorizationPolicies());
  }

  /** What {@link #roundTrip} should give for {@code config}. */
  public static MeshConfig expected(MeshConfig config) {
    return of(config, IDENTITY.certificateFile(), IDENTITY.privateKeyFile());
  }

  /** Equal records; when they are not, a field-by-field comparison says where. */
  public static void assertSame(MeshConfig actual, MeshConfig expected) {
    if (!actual.equals(expected)) {
      assertThat(actual).usingRecursiveComparison().isEqualTo(expected);
      assertThat(actual).isEqualTo(expected);
    }
  }

  /**
   * The expected read-back of {@code config}.
   *
   * @param identityChain the certificate file of the identity provider instance
   * @param identityKey its private key file
   */
  static MeshConfig of(MeshConfig config, String identityChain, String identityKey) {
    List<Service> services = new ArrayList<>();
    Set<String> referenced = new LinkedHashSet<>();
    List<Service> declared = new ArrayList<>(config.services());
    for (Cluster c : config.clusters()) {
      if (config.service(c.name()).isEmpty()) {
        declared.add(
            new Service(
                c.name(),
                List.of(Route.builder("default").destinations(Destination.of(c.name())).build())));
      }
    }
    for (Service service : declared) {
      List<Route> routes = routes(service.routes());
      for (Route r : routes) {
        r.destinations().forEach(d -> referenced.add(d.cluster()));
        r.mirrors().forEach(m -> referenced.add(m.cluster()));
      }
      services.add(new Service(service.name(), routes));
    }
    Map<String, Cluster> byXdsName = new LinkedHashMap<>();
    for (Cluster c : config.clusters()) {
      byXdsName.put(
          MeshToXds.clusterName(c.name(), ""),
          cluster(c, c.name(), c.endpoints(), identityChain, identityKey));
      for (Subset s : c.subsets()) {
        String name = MeshToXds.clusterName(c.name(), s.name());
        List<Endpoint> endpoints =
            c.endpoints().stream().filter(e -> s.matches(e.labels())).toList();
        byXdsName.put(name, cluster(c, name, endpoints, identityChain, identityKey));
      }
    }
    List<Cluster> clusters =
        referenced.stream()
            .map(byXdsName::get)
            .sorted(Comparator.comparing(Cluster::name))
            .toList();
    return new MeshConfig(config.version(), services, clusters);
  }

  private static List<Route> routes(List<Route> routes) {
    List<Route> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    int index = 0;
    for (Route route : routes) {
      List<String> methods = route.match().methods();
      List<List<String>> variants =
          methods.size() <= 1 ? List.of(methods) : methods.stream().map(List::of).toList();
      for (List<String> variant : variants) {
        String name = route.name();
        if (!names.add(name)) {
          name = name + "-" + index;
          names.add(name);
        }
        out.add(route(route, name.replaceAll("\\s", "_"), variant));
        index++;
      }
    }
    return out;
  }

  private static Route route(Route route, String name, List<String> methods) {
    List<HeaderMatch> headers =
        route.match().headers().stream()
            .filter(h -> !h.name().endsWith("-bin"))
            .map(XdsForm::header)
            .toList();
    RouteMatch match = new RouteMatch(route.match().path(), methods, headers);
    List<Destination> destinations =
        route.destinations().size() == 1
            ? List.of(
                Destination.of(
                    xdsName(
                        route.destinations().get(0).cluster(),
                        route.destinations().get(0).subset())))
            : route.destinations().stream()
                .map(d -> Destination.of(xdsName(d.cluster(), d.subset()), "", d.weight()))
                .toList();
    RetryPolicy r = route.retry();
    RetryPolicy retry =
        !r.enabled() || r.retryOn().isEmpty()
            ? RetryPolicy.NONE
            : r.toBuilder()
                .perTryTimeout(cap(r.perTryTimeout()))
                .initialBackoff(cap(r.initialBackoff()))
                .maxBackoff(cap(r.maxBackoff()))
                .retryNonIdempotent(false)
                .build();
    List<MirrorPolicy> mirrors =
        route.mirrors().stream()
            .map(m -> new MirrorPolicy(xdsName(m.cluster(), m.subset()), "", percent(m.percent())))
            .toList();
    List<HashPolicy> hashes =
        route.hashPolicies().stream()
            .filter(h -> h.kind() == HashPolicy.Kind.HEADER)
            .map(
                h ->
                    new HashPolicy(
                        HashPolicy.Kind.HEADER, h.name().toLowerCase(Locale.ROOT), h.terminal()))
            .toList();
    return Route.builder(name)
        .match(match)
        .destinations(destinations)
        .timeout(cap(route.timeout()))
        .retry(retry)
        .hedging(HedgingPolicy.NONE)
        .fault(fault(route.fault()))
        .mirrors(mirrors)
        .hashPolicies(hashes)
        .rateLimit(LocalRateLimit.UNLIMITED)
        .build();
  }

  private static String xdsName(String cluster, String subset) {
    return MeshToXds.clusterName(cluster, subset);
  }

  private static FaultInjection fault(FaultInjection f) {
    FaultInjection.Delay delay =
        f.delay().equals(FaultInjection.Delay.NONE)
            ? FaultInjection.Delay.NONE
            : new FaultInjection.Delay(cap(f.delay().fixedDelay()), percent(f.delay().percent()));
    FaultInjection.Abort a = f.abort();
    FaultInjection.Abort abort =
        a.equals(FaultInjection.Abort.NONE)
            ? FaultInjection.Abort.NONE
            : new FaultInjection.Abort(
                a.grpcStatus().isEmpty() ? a.httpStatus() : 503,
                a.grpcStatus().toUpperCase(Locale.ROOT),
                percent(a.percent()));
    return new FaultInjection(delay, abort, f.headers().stream().map(XdsForm::header).toList());
  }

  /** Present and range matches carry no case flag in xDS (it means nothing for them). */
  private static HeaderMatch header(HeaderMatch h) {
    return h.kind() == HeaderMatch.Kind.PRESENT || h.kind() == HeaderMatch.Kind.RANGE
        ? new HeaderMatch(
            h.name(), h.kind(), h.value(), h.rangeStart(), h.rangeEnd(), h.invert(), false)
        : h;
  }

  private static Cluster cluster(
      Cluster c, String name, List<Endpoint> endpoints, String identityChain, String identityKey) {
    return Cluster.builder(name)
        .endpoints(endpoints(endpoints))
        .loadBalancing(loadBalancing(c.loadBalancing()))
        .circuitBreakers(c.circuitBreakers())
        .outlierDetection(outlierDetection(c.outlierDetection()))
        .retryBudget(RetryBudget.DEFAULT)
        .tls(tls(c.tls(), identityChain, identityKey))
        .connectTimeout(cap(c.connectTimeout()))
        .build();
  }

  private static List<Endpoint> endpoints(List<Endpoint> endpoints) {
    List<Integer> levels = endpoints.stream().map(Endpoint::priority).distinct().sorted().toList();
    Map<List<Object>, List<Endpoint>> groups = new LinkedHashMap<>();
    for (Endpoint e : endpoints) {
      int priority = levels.indexOf(e.priority());
      groups
          .computeIfAbsent(List.<Object>of(priority, e.locality()), k -> new ArrayList<>())
          .add(
              e.toBuilder()
                  .priority(priority)
                  .weight(Math.min(e.weight(), MAX_ENDPOINT_WEIGHT))
                  .build());
    }
    return groups.values().stream().flatMap(List::stream).toList();
  }

  private static LoadBalancing loadBalancing(LoadBalancing lb) {
    String policy = lb.policy();
    Map<String, Object> options = new LinkedHashMap<>();
    switch (policy) {
      case LoadBalancing.LEAST_REQUEST -> {
        if (lb.options().get("choiceCount") instanceof Integer choices) {
          options.put("choiceCount", choices);
        }
      }
      case LoadBalancing.RING_HASH -> {
        for (String key : List.of("minRingSize", "maxRingSize")) {
          Long value = wholeNumber(lb.options().get(key));
          if (value != null) {
            options.put(key, value);
          }
        }
      }
      case LoadBalancing.MAGLEV -> {
        Long value = wholeNumber(lb.options().get("tableSize"));
        if (value != null) {
          options.put("tableSize", value);
        }
      }
      case LoadBalancing.ROUND_ROBIN, LoadBalancing.RANDOM -> {}
      default -> policy = LoadBalancing.ROUND_ROBIN;
    }
    return new LoadBalancing(
        policy,
        options,
        lb.localityWeighted(),
        Math.min(lb.overprovisioningFactor(), 100_000),
        lb.panicThresholdPercent(),
        SlowStart.DISABLED);
  }

  private static OutlierDetection outlierDetection(OutlierDetection od) {
    if (!od.enabled()) {
      return OutlierDetection.DISABLED;
    }
    OutlierDetection.SuccessRate sr = od.successRate();
    return new OutlierDetection(
        true,
        cap(od.interval()),
        cap(od.baseEjectionTime()),
        cap(od.maxEjectionTime()),
        od.maxEjectionPercent(),
        od.consecutiveFailures(),
        od.consecutiveGatewayFailures(),
        new OutlierDetection.SuccessRate(
            sr.minimumHosts(),
            sr.requestVolume(),
            Math.round(sr.stdevFactor() * 1000) / 1000.0,
            sr.enforcingPercent()),
        od.failurePercentage());
  }

  private static TlsSettings tls(TlsSettings tls, String identityChain, String identityKey) {
    return switch (tls.mode()) {
      case DISABLED -> TlsSettings.DISABLED;
      case SIMPLE ->
          new TlsSettings(
              TlsSettings.Mode.SIMPLE,
              "",
              "",
              tls.caCertificates(),
              tls.subjectAltNames(),
              tls.sni());
      case MUTUAL ->
          tls.certificateChain().isEmpty()
              ? new TlsSettings(
                  TlsSettings.Mode.MUTUAL,
                  identityChain,
                  identityKey,
                  tls.caCertificates(),
                  tls.subjectAltNames(),
                  tls.sni())
              : tls;
    };
  }

  private static Long wholeNumber(Object option) {
    return option instanceof Integer || option instanceof Long
        ? ((Number) option).longValue()
        : null;
  }

  /** A percentage as it comes back from millionths: the client's own arithmetic. */
  static double percent(double percent) {
    int millionths = (int) Math.round(percent * 10_000);
    return Math.min(100.0, millionths * 100.0 / 1_000_000);
  }

  static Duration cap(Duration d) {
    return d.getSeconds() >= MAX_DURATION.getSeconds() ? MAX_DURATION : d;
  }
}
