package dev.weft.mesh.xds;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.HealthStatus;
import dev.weft.mesh.api.config.Locality;
import dev.weft.mesh.xds.XdsValues.Endpoints;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Parses a ClusterLoadAssignment (EDS, or inline in a STATIC or DNS cluster). Endpoint labels come
 * from the {@code istio} and {@code envoy.lb} filter metadata. Locality weights are folded into
 * endpoint weights, so that each endpoint's share of traffic is the one Envoy and gRPC give it.
 */
final class EndpointParser {
  /** Locality weights are spread over endpoint weights at this resolution. */
  private static final double WEIGHT_SCALE = 1000.0;

  private EndpointParser() {}

  static Endpoints parse(ClusterLoadAssignment cla, String field) {
    List<Endpoint> out = new ArrayList<>();
    Set<String> addresses = new HashSet<>();
    TreeSet<Integer> priorities = new TreeSet<>();
    boolean anyLocalityWeight =
        cla.getEndpointsList().stream().anyMatch(LocalityLbEndpoints::hasLoadBalancingWeight);
    for (int l = 0; l < cla.getEndpointsCount(); l++) {
      LocalityLbEndpoints group = cla.getEndpoints(l);
      String lf = field + "endpoints[" + l + "]";
      long localityWeight =
          group.hasLoadBalancingWeight()
              ? Integer.toUnsignedLong(group.getLoadBalancingWeight().getValue())
              : 0;
      if (anyLocalityWeight && localityWeight == 0) {
        continue; // gRPC and Envoy's locality-weighted balancing send nothing to a locality without
        // weight
      }
      Locality locality =
          FieldException.model(
              lf + ".locality",
              () ->
                  new Locality(
                      group.getLocality().getRegion(),
                      group.getLocality().getZone(),
                      group.getLocality().getSubZone()));
      long sum = 0;
      for (LbEndpoint e : group.getLbEndpointsList()) {
        sum +=
            e.hasLoadBalancingWeight()
                ? Integer.toUnsignedLong(e.getLoadBalancingWeight().getValue())
                : 1;
      }
      for (int i = 0; i < group.getLbEndpointsCount(); i++) {
        LbEndpoint e = group.getLbEndpoints(i);
        String ef = lf + ".lb_endpoints[" + i + "]";
        if (!e.hasEndpoint() || !e.getEndpoint().getAddress().hasSocketAddress()) {
          throw FieldException.of(ef + ".endpoint.address.socket_address", "is required");
        }
        SocketAddress sa = e.getEndpoint().getAddress().getSocketAddress();
        if (sa.getPortSpecifierCase() != SocketAddress.PortSpecifierCase.PORT_VALUE) {
          throw FieldException.of(
              ef + ".endpoint.address.socket_address.port_value",
              "is required (named ports are not supported)");
        }
        long weight =
            e.hasLoadBalancingWeight()
                ? Integer.toUnsignedLong(e.getLoadBalancingWeight().getValue())
                : 1;
        if (weight == 0) {
          throw FieldException.of(ef + ".load_balancing_weight", "must be at least 1");
        }
        int effective =
            anyLocalityWeight
                ? scaled(localityWeight, weight, sum)
                : (int) Math.min(weight, Integer.MAX_VALUE / 1024);
        Map<String, String> labels = labels(e.getMetadata().getFilterMetadataMap());
        int port = sa.getPortValue();
        Endpoint endpoint =
            FieldException.model(
                ef,
                () ->
                    Endpoint.builder(sa.getAddress(), port)
                        .weight(effective)
                        .locality(locality)
                        .priority(group.getPriority())
                        .health(health(e.getHealthStatus()))
                        .labels(labels)
                        .build());
        if (!addresses.add(endpoint.address())) {
          throw FieldException.of(
              ef + ".endpoint.address", "%s appears more than once", endpoint.address());
        }
        out.add(endpoint);
      }
      priorities.add(group.getPriority());
    }
    int expected = 0;
    for (int p : priorities) {
      if (p != expected++) {
        throw FieldException.of(
            field + "endpoints", "priorities must be contiguous from 0, were %s", priorities);
      }
    }
    int overprovisioning = 0;
    if (cla.hasPolicy() && cla.getPolicy().hasOverprovisioningFactor()) {
      long factor = Integer.toUnsignedLong(cla.getPolicy().getOverprovisioningFactor().getValue());
      if (factor < 100 || factor > 100_000) {
        throw FieldException.of(
            field + "policy.overprovisioning_factor", "must be from 100 to 100000, was %d", factor);
      }
      overprovisioning = (int) factor;
    }
    return new Endpoints(cla.getClusterName(), out, overprovisioning);
  }

  /**
   * The endpoint's weight scaled so that its share equals localityWeight * weight / localitySum.
   */
  private static int scaled(long localityWeight, long weight, long localitySum) {
    double w = WEIGHT_SCALE * localityWeight * weight / (double) localitySum;
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE / 1024, Math.round(w)));
  }

  private static HealthStatus health(io.envoyproxy.envoy.config.core.v3.HealthStatus s) {
    return switch (s) {
      case HEALTHY -> HealthStatus.HEALTHY;
      case UNHEALTHY -> HealthStatus.UNHEALTHY;
      case DRAINING -> HealthStatus.DRAINING;
      case TIMEOUT -> HealthStatus.TIMEOUT;
      case DEGRADED -> HealthStatus.DEGRADED;
      default -> HealthStatus.UNKNOWN;
    };
  }

  private static Map<String, String> labels(Map<String, Struct> metadata) {
    Map<String, String> labels = new LinkedHashMap<>();
    for (String key : List.of("envoy.lb", "istio")) {
      Struct s = metadata.get(key);
      if (s == null) {
        continue;
      }
      for (Map.Entry<String, Value> e : s.getFieldsMap().entrySet()) {
        if (e.getValue().getKindCase() == Value.KindCase.STRING_VALUE && !e.getKey().isBlank()) {
          labels.putIfAbsent(e.getKey(), e.getValue().getStringValue());
        }
      }
    }
    return labels;
  }
}
