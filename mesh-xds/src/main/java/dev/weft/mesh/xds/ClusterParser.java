package dev.weft.mesh.xds;

import com.google.protobuf.Any;
import dev.weft.mesh.api.config.CircuitBreakers;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.config.OutlierDetection;
import dev.weft.mesh.api.config.TlsSettings;
import dev.weft.mesh.xds.XdsValues.ClusterKind;
import dev.weft.mesh.xds.XdsValues.XdsCluster;
import dev.weft.mesh.xds.bootstrap.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers.Thresholds;
import io.envoyproxy.envoy.config.cluster.v3.LoadBalancingPolicy;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import io.envoyproxy.envoy.extensions.clusters.aggregate.v3.ClusterConfig;
import io.envoyproxy.envoy.extensions.load_balancing_policies.least_request.v3.LeastRequest;
import io.envoyproxy.envoy.extensions.load_balancing_policies.maglev.v3.Maglev;
import io.envoyproxy.envoy.extensions.load_balancing_policies.ring_hash.v3.RingHash;
import io.envoyproxy.envoy.extensions.load_balancing_policies.wrr_locality.v3.WrrLocality;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses a Cluster: its discovery type (EDS, STATIC, LOGICAL_DNS/STRICT_DNS, aggregate), load
 * balancing (lb_policy or load_balancing_policy, gRFC A42/A48/A52), circuit breakers (A32), outlier
 * detection (A50), connect timeout and upstream TLS (certificate provider instances from the
 * bootstrap, read by {@link UpstreamTlsParser}).
 */
final class ClusterParser {
  static final String AGGREGATE = "envoy.clusters.aggregate";
  private static final String LB = "type.googleapis.com/envoy.extensions.load_balancing_policies.";

  private final UpstreamTlsParser tlsParser;

  ClusterParser(Map<String, Bootstrap.CertificateProvider> providers) {
    this.tlsParser = new UpstreamTlsParser(providers);
  }

  XdsCluster parse(io.envoyproxy.envoy.config.cluster.v3.Cluster c) {
    String name = c.getName();
    ClusterKind kind;
    String eds = "";
    List<Endpoint> endpoints = List.of();
    List<String> children = List.of();
    switch (c.getClusterDiscoveryTypeCase()) {
      case TYPE -> {
        switch (c.getType()) {
          case EDS -> {
            kind = ClusterKind.EDS;
            if (c.getEdsClusterConfig().getEdsConfig().hasPath()
                || c.getEdsClusterConfig().getEdsConfig().hasApiConfigSource()) {
              throw FieldException.of("eds_cluster_config.eds_config", "must be ads or self");
            }
            eds =
                c.getEdsClusterConfig().getServiceName().isEmpty()
                    ? name
                    : c.getEdsClusterConfig().getServiceName();
          }
          case STATIC, LOGICAL_DNS, STRICT_DNS -> {
            kind =
                c.getType() == io.envoyproxy.envoy.config.cluster.v3.Cluster.DiscoveryType.STATIC
                    ? ClusterKind.STATIC
                    : ClusterKind.DNS;
            endpoints = EndpointParser.parse(c.getLoadAssignment(), "load_assignment.").endpoints();
            if (endpoints.isEmpty()) {
              throw FieldException.of(
                  "load_assignment.endpoints",
                  "must list at least one endpoint for a %s cluster",
                  c.getType());
            }
          }
          default ->
              throw FieldException.of(
                  "type",
                  "%s is not supported (EDS, STATIC, LOGICAL_DNS, STRICT_DNS or aggregate)",
                  c.getType());
        }
      }
      case CLUSTER_TYPE -> {
        if (!c.getClusterType().getName().equals(AGGREGATE)) {
          throw FieldException.of(
              "cluster_type.name",
              "%s is not supported (only %s)",
              c.getClusterType().getName(),
              AGGREGATE);
        }
        kind = ClusterKind.AGGREGATE;
        children =
            Protos.unpack(
                    c.getClusterType().getTypedConfig(),
                    ClusterConfig.class,
                    "cluster_type.typed_config")
                .getClustersList();
        if (children.isEmpty()) {
          throw FieldException.of("cluster_type.typed_config.clusters", "must not be empty");
        }
      }
      default -> {
        kind = ClusterKind.EDS;
        eds =
            c.getEdsClusterConfig().getServiceName().isEmpty()
                ? name
                : c.getEdsClusterConfig().getServiceName();
      }
    }
    LoadBalancing lb = loadBalancing(c);
    CircuitBreakers cb = circuitBreakers(c);
    OutlierDetection od =
        c.hasOutlierDetection()
            ? outlierDetection(c.getOutlierDetection())
            : OutlierDetection.DISABLED;
    Duration connect =
        c.hasConnectTimeout()
            ? Protos.duration(c.getConnectTimeout(), "connect_timeout")
            : Cluster.DEFAULT_CONNECT_TIMEOUT;
    if (connect.isZero()) {
      throw FieldException.of("connect_timeout", "must be greater than zero");
    }
    if (c.getTransportSocketMatchesCount() > 0) {
      throw FieldException.of(
          "transport_socket_matches[0]",
          "not supported: Weft secures every endpoint of a cluster alike (use transport_socket)");
    }
    TlsSettings tls =
        c.hasTransportSocket() ? tlsParser.parse(c.getTransportSocket()) : TlsSettings.DISABLED;
    Cluster model =
        FieldException.model(
            "",
            () ->
                Cluster.builder(name)
                    .loadBalancing(lb)
                    .circuitBreakers(cb)
                    .outlierDetection(od)
                    .tls(tls)
                    .connectTimeout(connect)
                    .build());
    return new XdsCluster(name, kind, eds, endpoints, children, model);
  }

  private LoadBalancing loadBalancing(io.envoyproxy.envoy.config.cluster.v3.Cluster c) {
    LoadBalancing lb;
    if (c.hasLoadBalancingPolicy()) {
      lb = policy(c.getLoadBalancingPolicy(), "load_balancing_policy", 0);
    } else {
      lb =
          switch (c.getLbPolicy()) {
            case ROUND_ROBIN -> LoadBalancing.of(LoadBalancing.ROUND_ROBIN);
            case LEAST_REQUEST -> {
              Map<String, Object> o = new LinkedHashMap<>();
              if (c.getLeastRequestLbConfig().hasChoiceCount()) {
                o.put("choiceCount", c.getLeastRequestLbConfig().getChoiceCount().getValue());
              }
              yield LoadBalancing.of(LoadBalancing.LEAST_REQUEST).withOptions(o);
            }
            case RING_HASH -> {
              var rh = c.getRingHashLbConfig();
              if (rh.getHashFunction()
                  != io.envoyproxy.envoy.config.cluster.v3.Cluster.RingHashLbConfig.HashFunction
                      .XX_HASH) {
                throw FieldException.of(
                    "ring_hash_lb_config.hash_function",
                    "only XX_HASH is supported, was %s",
                    rh.getHashFunction());
              }
              Map<String, Object> o = new LinkedHashMap<>();
              if (rh.hasMinimumRingSize()) {
                o.put("minRingSize", rh.getMinimumRingSize().getValue());
              }
              if (rh.hasMaximumRingSize()) {
                o.put("maxRingSize", rh.getMaximumRingSize().getValue());
              }
              yield LoadBalancing.of(LoadBalancing.RING_HASH).withOptions(o);
            }
            case MAGLEV -> {
              Map<String, Object> o = new LinkedHashMap<>();
              if (c.getMaglevLbConfig().hasTableSize()) {
                o.put("tableSize", c.getMaglevLbConfig().getTableSize().getValue());
              }
              yield LoadBalancing.of(LoadBalancing.MAGLEV).withOptions(o);
            }
            case RANDOM -> LoadBalancing.of(LoadBalancing.RANDOM);
            default -> throw FieldException.of("lb_policy", "%s is not supported", c.getLbPolicy());
          };
    }
    if (c.hasCommonLbConfig()) {
      var common = c.getCommonLbConfig();
      if (common.hasLocalityWeightedLbConfig()) {
        lb = lb.withLocalityWeighted(true);
      }
      if (common.hasHealthyPanicThreshold()) {
        double pct = common.getHealthyPanicThreshold().getValue();
        LoadBalancing base = lb;
        lb =
            FieldException.model(
                "common_lb_config.healthy_panic_threshold",
                () -> base.withPanicThresholdPercent(pct));
      }
    }
    return lb;
  }

  /** The first policy in the list that Weft supports (gRFC A52). */
  private LoadBalancing policy(LoadBalancingPolicy p, String field, int depth) {
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < p.getPoliciesCount(); i++) {
      Any cfg = p.getPolicies(i).getTypedExtensionConfig().getTypedConfig();
      String f = field + ".policies[" + i + "].typed_extension_config.typed_config";
      String type = cfg.getTypeUrl();
      seen.add(Protos.typeName(type));
      if (type.equals(LB + "round_robin.v3.RoundRobin")) {
        return LoadBalancing.of(LoadBalancing.ROUND_ROBIN);
      } else if (type.equals(LB + "random.v3.Random")) {
        return LoadBalancing.of(LoadBalancing.RANDOM);
      } else if (type.equals(LB + "least_request.v3.LeastRequest")) {
        LeastRequest lr = Protos.unpack(cfg, LeastRequest.class, f);
        Map<String, Object> o = new LinkedHashMap<>();
        if (lr.hasChoiceCount()) {
          o.put("choiceCount", lr.getChoiceCount().getValue());
        }
        return LoadBalancing.of(LoadBalancing.LEAST_REQUEST).withOptions(o);
      } else if (type.equals(LB + "ring_hash.v3.RingHash")) {
        RingHash rh = Protos.unpack(cfg, RingHash.class, f);
        Map<String, Object> o = new LinkedHashMap<>();
        if (rh.hasMinimumRingSize()) {
          o.put("minRingSize", rh.getMinimumRingSize().getValue());
        }
        if (rh.hasMaximumRingSize()) {
          o.put("maxRingSize", rh.getMaximumRingSize().getValue());
        }
        return LoadBalancing.of(LoadBalancing.RING_HASH).withOptions(o);
      } else if (type.equals(LB + "maglev.v3.Maglev")) {
        Maglev m = Protos.unpack(cfg, Maglev.class, f);
        Map<String, Object> o = new LinkedHashMap<>();
        if (m.hasTableSize()) {
          o.put("tableSize", m.getTableSize().getValue());
        }
        return LoadBalancing.of(LoadBalancing.MAGLEV).withOptions(o);
      } else if (type.equals(LB + "wrr_locality.v3.WrrLocality") && depth < 4) {
        WrrLocality w = Protos.unpack(cfg, WrrLocality.class, f);
        return policy(w.getEndpointPickingPolicy(), f + ".endpoint_picking_policy", depth + 1)
            .withLocalityWeighted(true);
      }
    }
    throw FieldException.of(
        field + ".policies",
        "none is supported (round_robin, least_request, ring_hash, maglev, random, wrr_locality); found %s",
        seen);
  }

  private static CircuitBreakers circuitBreakers(io.envoyproxy.envoy.config.cluster.v3.Cluster c) {
    for (int i = 0; i < c.getCircuitBreakers().getThresholdsCount(); i++) {
      Thresholds t = c.getCircuitBreakers().getThresholds(i);
      if (t.getPriority() != RoutingPriority.DEFAULT) {
        continue;
      }
      int d = CircuitBreakers.DEFAULT_LIMIT;
      int conns = t.hasMaxConnections() ? clamp(t.getMaxConnections().getValue()) : d;
      int pending = t.hasMaxPendingRequests() ? clamp(t.getMaxPendingRequests().getValue()) : d;
      int requests = t.hasMaxRequests() ? clamp(t.getMaxRequests().getValue()) : d;
      int retries = t.hasMaxRetries() ? clamp(t.getMaxRetries().getValue()) : d;
      return FieldException.model(
          "circuit_breakers.thresholds[" + i + "]",
          () -> new CircuitBreakers(conns, pending, requests, retries));
    }
    return CircuitBreakers.DEFAULT;
  }

  private static int clamp(int unsigned) {
    return (int) Math.min(Integer.MAX_VALUE, Integer.toUnsignedLong(unsigned));
  }

  private static OutlierDetection outlierDetection(
      io.envoyproxy.envoy.config.cluster.v3.OutlierDetection o) {
    String f = "outlier_detection";
    OutlierDetection.Builder b = OutlierDetection.builder().enabled(true);
    if (o.hasInterval()) {
      b.interval(Protos.duration(o.getInterval(), f + ".interval"));
    }
    if (o.hasBaseEjectionTime()) {
      b.baseEjectionTime(Protos.duration(o.getBaseEjectionTime(), f + ".base_ejection_time"));
    }
    if (o.hasMaxEjectionTime()) {
      b.maxEjectionTime(Protos.duration(o.getMaxEjectionTime(), f + ".max_ejection_time"));
    }
    if (o.hasMaxEjectionPercent()) {
      b.maxEjectionPercent(clamp(o.getMaxEjectionPercent().getValue()));
    }
    int consecutive = o.hasConsecutive5Xx() ? clamp(o.getConsecutive5Xx().getValue()) : 5;
    int enforcing5xx =
        o.hasEnforcingConsecutive5Xx() ? clamp(o.getEnforcingConsecutive5Xx().getValue()) : 100;
    b.consecutiveFailures(enforcing5xx == 0 ? 0 : consecutive);
    int gateway =
        o.hasConsecutiveGatewayFailure() ? clamp(o.getConsecutiveGatewayFailure().getValue()) : 5;
    int enforcingGateway =
        o.hasEnforcingConsecutiveGatewayFailure()
            ? clamp(o.getEnforcingConsecutiveGatewayFailure().getValue())
            : 0;
    b.consecutiveGatewayFailures(enforcingGateway == 0 ? 0 : gateway);
    int srEnforcing =
        o.hasEnforcingSuccessRate() ? clamp(o.getEnforcingSuccessRate().getValue()) : 100;
    int srHosts =
        o.hasSuccessRateMinimumHosts() ? clamp(o.getSuccessRateMinimumHosts().getValue()) : 5;
    int srVolume =
        o.hasSuccessRateRequestVolume() ? clamp(o.getSuccessRateRequestVolume().getValue()) : 100;
    double srFactor =
        (o.hasSuccessRateStdevFactor() ? clamp(o.getSuccessRateStdevFactor().getValue()) : 1900)
            / 1000.0;
    b.successRate(
        FieldException.model(
            f + ".success_rate",
            () -> new OutlierDetection.SuccessRate(srHosts, srVolume, srFactor, srEnforcing)));
    int fpEnforcing =
        o.hasEnforcingFailurePercentage() ? clamp(o.getEnforcingFailurePercentage().getValue()) : 0;
    int fpThreshold =
        o.hasFailurePercentageThreshold()
            ? clamp(o.getFailurePercentageThreshold().getValue())
            : 85;
    int fpHosts =
        o.hasFailurePercentageMinimumHosts()
            ? clamp(o.getFailurePercentageMinimumHosts().getValue())
            : 5;
    int fpVolume =
        o.hasFailurePercentageRequestVolume()
            ? clamp(o.getFailurePercentageRequestVolume().getValue())
            : 50;
    b.failurePercentage(
        FieldException.model(
            f + ".failure_percentage",
            () ->
                new OutlierDetection.FailurePercentage(
                    fpThreshold, fpHosts, fpVolume, fpEnforcing)));
    return FieldException.model(f, b::build);
  }
}
