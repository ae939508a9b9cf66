package dev.weft.samples.controlplane;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.UInt64Value;
import com.google.protobuf.Value;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.config.OutlierDetection;
import dev.weft.mesh.api.config.Subset;
import dev.weft.mesh.api.config.TlsSettings;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateProviderPluginInstance;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.Percent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The cluster half of {@link MeshToXds}: a mesh cluster (or one of its subsets) as an Envoy {@code
 * Cluster} and its {@code ClusterLoadAssignment}, in the shapes Weft's xDS client reads.
 */
final class ClusterResources {
  private ClusterResources() {}

  static io.envoyproxy.envoy.config.cluster.v3.Cluster cluster(Cluster cluster, String name) {
    io.envoyproxy.envoy.config.cluster.v3.Cluster.Builder out =
        io.envoyproxy.envoy.config.cluster.v3.Cluster.newBuilder()
            .setName(name)
            .setType(io.envoyproxy.envoy.config.cluster.v3.Cluster.DiscoveryType.EDS)
            .setEdsClusterConfig(
                io.envoyproxy.envoy.config.cluster.v3.Cluster.EdsClusterConfig.newBuilder()
                    .setServiceName(name)
                    .setEdsConfig(MeshToXds.ADS))
            .setConnectTimeout(MeshToXds.duration(cluster.connectTimeout()));
    loadBalancing(cluster.loadBalancing(), out);
    dev.weft.mesh.api.config.CircuitBreakers limits = cluster.circuitBreakers();
    out.setCircuitBreakers(
        CircuitBreakers.newBuilder()
            .addThresholds(
                CircuitBreakers.Thresholds.newBuilder()
                    .setPriority(RoutingPriority.DEFAULT)
                    .setMaxConnections(UInt32Value.of(limits.maxConnections()))
                    .setMaxPendingRequests(UInt32Value.of(limits.maxPendingRequests()))
                    .setMaxRequests(UInt32Value.of(limits.maxRequests()))
                    .setMaxRetries(UInt32Value.of(limits.maxRetries()))));
    if (cluster.outlierDetection().enabled()) {
      out.setOutlierDetection(outlierDetection(cluster.outlierDetection()));
    }
    if (cluster.tls().mode() != TlsSettings.Mode.DISABLED) {
      out.setTransportSocket(
          TransportSocket.newBuilder()
              .setName(MeshToXds.TLS_SOCKET)
              .setTypedConfig(Any.pack(tls(cluster.tls()))));
    }
    return out.build();
  }

  static void loadBalancing(
      LoadBalancing lb, io.envoyproxy.envoy.config.cluster.v3.Cluster.Builder out) {
    switch (lb.policy()) {
      case LoadBalancing.LEAST_REQUEST -> {
        out.setLbPolicy(io.envoyproxy.envoy.config.cluster.v3.Cluster.LbPolicy.LEAST_REQUEST);
        if (lb.options().get("choiceCount") instanceof Integer choices) {
          out.setLeastRequestLbConfig(
              io.envoyproxy.envoy.config.cluster.v3.Cluster.LeastRequestLbConfig.newBuilder()
                  .setChoiceCount(UInt32Value.of(choices)));
        }
      }
      case LoadBalancing.RING_HASH -> {
        out.setLbPolicy(io.envoyproxy.envoy.config.cluster.v3.Cluster.LbPolicy.RING_HASH);
        var ring =
            io.envoyproxy.envoy.config.cluster.v3.Cluster.RingHashLbConfig.newBuilder()
                .setHashFunction(
                    io.envoyproxy.envoy.config.cluster.v3.Cluster.RingHashLbConfig.HashFunction
                        .XX_HASH);
        Long min = wholeNumber(lb.options().get("minRingSize"));
        if (min != null) {
          ring.setMinimumRingSize(UInt64Value.of(min));
        }
        Long max = wholeNumber(lb.options().get("maxRingSize"));
        if (max != null) {
          ring.setMaximumRingSize(UInt64Value.of(max));
        }
        out.setRingHashLbConfig(ring);
      }
      case LoadBalancing.MAGLEV -> {
        out.setLbPolicy(io.envoyproxy.envoy.config.cluster.v3.Cluster.LbPolicy.MAGLEV);
        Long size = wholeNumber(lb.options().get("tableSize"));
        if (size != null) {
          out.setMaglevLbConfig(
              io.envoyproxy.envoy.config.cluster.v3.Cluster.MaglevLbConfig.newBuilder()
                  .setTableSize(UInt64Value.of(size)));
        }
      }
      case LoadBalancing.RANDOM ->
          out.setLbPolicy(io.envoyproxy.envoy.config.cluster.v3.Cluster.LbPolicy.RANDOM);
      default ->
          out.setLbPolicy(io.envoyproxy.envoy.config.cluster.v3.Cluster.LbPolicy.ROUND_ROBIN);
    }
    var common =
        io.envoyproxy.envoy.config.cluster.v3.Cluster.CommonLbConfig.newBuilder()
            .setHealthyPanicThreshold(Percent.newBuilder().setValue(lb.panicThresholdPercent()));
    if (lb.localityWeighted()) {
      common.setLocalityWeightedLbConfig(
          io.envoyproxy.envoy.config.cluster.v3.Cluster.CommonLbConfig.LocalityWeightedLbConfig
              .getDefaultInstance());
    }
    out.setCommonLbConfig(common);
  }

  /** An Integer or Long option as a long, or null for anything else. */
  static Long wholeNumber(Object option) {
    return option instanceof Integer || option instanceof Long
        ? ((Number) option).longValue()
        : null;
  }

  static io.envoyproxy.envoy.config.cluster.v3.OutlierDetection outlierDetection(
      OutlierDetection od) {
    OutlierDetection.SuccessRate sr = od.successRate();
    OutlierDetection.FailurePercentage fp = od.failurePercentage();
    return io.envoyproxy.envoy.config.cluster.v3.OutlierDetection.newBuilder()
        .setInterval(MeshToXds.duration(od.interval()))
        .setBaseEjectionTime(MeshToXds.duration(od.baseEjectionTime()))
        .setMaxEjectionTime(MeshToXds.duration(od.maxEjectionTime()))
        .setMaxEjectionPercent(UInt32Value.of(od.maxEjectionPercent()))
        .setConsecutive5Xx(UInt32Value.of(od.consecutiveFailures()))
        .setEnforcingConsecutive5Xx(UInt32Value.of(od.consecutiveFailures() == 0 ? 0 : 100))
        .setConsecutiveGatewayFailure(UInt32Value.of(od.consecutiveGatewayFailures()))
        .setEnforcingConsecutiveGatewayFailure(
            UInt32Value.of(od.consecutiveGatewayFailures() == 0 ? 0 : 100))
        .setSuccessRateMinimumHosts(UInt32Value.of(sr.minimumHosts()))
        .setSuccessRateRequestVolume(UInt32Value.of(sr.requestVolume()))
        .setSuccessRateStdevFactor(UInt32Value.of(stdevFactorThousandths(sr.stdevFactor())))
        .setEnforcingSuccessRate(UInt32Value.of(sr.enforcingPercent()))
        .setFailurePercentageThreshold(UInt32Value.of(fp.threshold()))
        .setFailurePercentageMinimumHosts(UInt32Value.of(fp.minimumHosts()))
        .setFailurePercentageRequestVolume(UInt32Value.of(fp.requestVolume()))
        .setEnforcingFailurePercentage(UInt32Value.of(fp.enforcingPercent()))
        .build();
  }

  /** Envoy's {@code success_rate_stdev_factor}: the factor in thousandths. */
  static int stdevFactorThousandths(double factor) {
    return (int) Math.min(Integer.MAX_VALUE, Math.round(factor * 1000));
  }

  // match_subject_alt_names is the form Weft's client reads; Envoy deprecates it for the typed one.
  @SuppressWarnings("deprecation")
  static UpstreamTlsContext tls(TlsSettings tls) {
    CommonTlsContext.Builder common = CommonTlsContext.newBuilder();
    if (tls.mode() == TlsSettings.Mode.MUTUAL) {
      if (tls.certificateChain().isEmpty()) {
        common.setTlsCertificateProviderInstance(
            CertificateProviderPluginInstance.newBuilder()
                .setInstanceName(MeshToXds.IDENTITY_PROVIDER_INSTANCE));
      } else {
        common.addTlsCertificates(
            TlsCertificate.newBuilder()
                .setCertificateChain(DataSource.newBuilder().setFilename(tls.certificateChain()))
                .setPrivateKey(DataSource.newBuilder().setFilename(tls.privateKey())));
      }
    }
    CertificateValidationContext.Builder validation = CertificateValidationContext.newBuilder();
    if (!tls.caCertificates().isEmpty()) {
      validation.setTrustedCa(DataSource.newBuilder().setFilename(tls.caCertificates()));
    }
    for (String san : tls.subjectAltNames()) {
      validation.addMatchSubjectAltNames(StringMatcher.newBuilder().setExact(san));
    }
    if (!tls.caCertificates().isEmpty() || !tls.subjectAltNames().isEmpty()) {
      common.setValidationContext(validation);
    }
    return UpstreamTlsContext.newBuilder().setCommonTlsContext(common).setSni(tls.sni()).build();
  }

  static ClusterLoadAssignment assignment(String name, Cluster cluster, Subset subset) {
    List<dev.weft.mesh.api.config.Endpoint> endpoints = new ArrayList<>();
    for (dev.weft.mesh.api.config.Endpoint e : cluster.endpoints()) {
      if (subset == null || subset.matches(e.labels())) {
        endpoints.add(e);
      }
    }
    Map<Integer, Integer> rank = priorityRanks(endpoints);
    Map<List<Object>, LocalityLbEndpoints.Builder> groups = new LinkedHashMap<>();
    for (dev.weft.mesh.api.config.Endpoint e : endpoints) {
      int priority = rank.get(e.priority());
      LocalityLbEndpoints.Builder group =
          groups.computeIfAbsent(
              List.of(priority, e.locality()),
              k ->
                  LocalityLbEndpoints.newBuilder()
                      .setLocality(
                          Locality.newBuilder()
                              .setRegion(e.locality().region())
                              .setZone(e.locality().zone())
                              .setSubZone(e.locality().subZone()))
                      .setPriority(priority));
      Struct.Builder labels = Struct.newBuilder();
      for (Map.Entry<String, String> label : e.labels().entrySet()) {
        labels.putFields(
            label.getKey(), Value.newBuilder().setStringValue(label.getValue()).build());
      }
      group.addLbEndpoints(
          LbEndpoint.newBuilder()
              .setEndpoint(
                  Endpoint.newBuilder()
                      .setAddress(
                          Address.newBuilder()
                              .setSocketAddress(
                                  SocketAddress.newBuilder()
                                      .setAddress(e.host())
                                      .setPortValue(e.port()))))
              .setHealthStatus(health(e.health()))
              .setLoadBalancingWeight(UInt32Value.of(e.weight()))
              .setMetadata(Metadata.newBuilder().putFilterMetadata("istio", labels.build())));
    }
    ClusterLoadAssignment.Builder out = ClusterLoadAssignment.newBuilder().setClusterName(name);
    groups.values().forEach(out::addEndpoints);
    int factor =
        Math.min(
            MeshToXds.MAX_OVERPROVISIONING_FACTOR,
            cluster.loadBalancing().overprovisioningFactor());
    out.setPolicy(
        ClusterLoadAssignment.Policy.newBuilder()
            .setOverprovisioningFactor(UInt32Value.of(factor)));
    return out.build();
  }

  /**
   * Each priority in use mapped to its rank among them: Envoy wants priorities 0, 1, 2… without
   * gaps.
   */
  static Map<Integer, Integer> priorityRanks(List<dev.weft.mesh.api.config.Endpoint> endpoints) {
    TreeSet<Integer> used = new TreeSet<>();
    endpoints.forEach(e -> used.add(e.priority()));
    Map<Integer, Integer> rank = new HashMap<>();
    for (int p : used) {
      rank.put(p, rank.size());
    }
    return rank;
  }

  static HealthStatus health(dev.weft.mesh.api.config.HealthStatus health) {
    return switch (health) {
      case HEALTHY -> HealthStatus.HEALTHY;
      case UNHEALTHY -> HealthStatus.UNHEALTHY;
      case DRAINING -> HealthStatus.DRAINING;
      case TIMEOUT -> HealthStatus.TIMEOUT;
      case DEGRADED -> HealthStatus.DEGRADED;
      case UNKNOWN -> HealthStatus.UNKNOWN;
    };
  }
}
