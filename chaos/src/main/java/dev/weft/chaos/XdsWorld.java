package dev.weft.chaos;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import dev.weft.mesh.testing.xds.Resources;
import dev.weft.mesh.testing.xds.TestControlPlane;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateProviderPluginInstance;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * The resources the control plane serves: per protocol one listener, a route configuration that
 * splits calls by weight between two clusters over the same three endpoints (so that weight churn
 * changes the configuration, never which backends exist), mutual TLS expecting the backends' SPIFFE
 * IDs, outlier detection, and a retry policy with Weft's default conditions.
 */
final class XdsWorld {
  static final String GRPC_LISTENER = "grpc.chaos.local:50051";
  static final String HTTP_LISTENER = "http.chaos.local:8080";
  static final String GRPC_ROUTES = "grpc-routes";
  static final String HTTP_ROUTES = "http-routes";
  static final List<String> GRPC_CLUSTERS = List.of("grpc-a", "grpc-b");
  static final List<String> HTTP_CLUSTERS = List.of("http-a", "http-b");

  /**
   * Weft's default retry conditions and three attempts, plus a per-try timeout so that an attempt
   * on a stalled backend ends (and counts toward outlier detection) before the call's deadline.
   */
  static final RetryPolicy RETRY =
      RetryPolicy.newBuilder()
          .setRetryOn("connect-failure,refused-stream,reset,unavailable,gateway-error")
          .setNumRetries(UInt32Value.of(2))
          .setPerTryTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(1))
          .setRetryBackOff(
              RetryPolicy.RetryBackOff.newBuilder()
                  .setBaseInterval(com.google.protobuf.Duration.newBuilder().setNanos(25_000_000))
                  .setMaxInterval(com.google.protobuf.Duration.newBuilder().setNanos(250_000_000)))
          .build();

  /**
   * How long a first ejection lasts: short enough that the endpoint a phase ejected (the killed
   * one, back after 8 s) is in service again when the next phase's fault starts.
   */
  static final java.time.Duration BASE_EJECTION = java.time.Duration.ofSeconds(10);

  /**
   * Five failures in a row eject an endpoint for {@link #BASE_EJECTION}; at most one of the three
   * at a time. Weft ejects while fewer than {@code max_ejection_percent} of the endpoints are out
   * (gRFC A50), so 33% allows one of three (34% allowed a second: 1 of 3 is 33.3% < 34%), and with
   * two of three out the one left is under the 50% panic threshold, so calls go to all three again,
   * the stalled one included.
   */
  static final OutlierDetection OUTLIERS =
      OutlierDetection.newBuilder()
          .setConsecutive5Xx(UInt32Value.of(5))
          .setInterval(com.google.protobuf.Duration.newBuilder().setSeconds(1))
          .setBaseEjectionTime(
              com.google.protobuf.Duration.newBuilder().setSeconds(BASE_EJECTION.toSeconds()))
          .setMaxEjectionPercent(UInt32Value.of(33))
          .build();

  private final TestControlPlane controlPlane;
  private final int[] grpcPorts;
  private final int[] httpPorts;
  private final String grpcIdentity;
  private final String httpIdentity;
  private int version;

  XdsWorld(
      TestControlPlane controlPlane,
      int[] grpcPorts,
      int[] httpPorts,
      String grpcIdentity,
      String httpIdentity) {
    this.controlPlane = controlPlane;
    this.grpcPorts = grpcPorts.clone();
    this.httpPorts = httpPorts.clone();
    this.grpcIdentity = grpcIdentity;
    this.httpIdentity = httpIdentity;
  }

  /** Serves a new version with the first cluster of each protocol at {@code weightA}%. */
  synchronized String publish(int weightA) {
    String v = "v" + ++version;
    controlPlane.set(snapshot(v, weightA));
    return v;
  }

  synchronized int version() {
    return version;
  }

  Snapshot snapshot(String v, int weightA) {
    List<Cluster> clusters = new ArrayList<>();
    List<ClusterLoadAssignment> endpoints = new ArrayList<>();
    for (String c : GRPC_CLUSTERS) {
      clusters.add(cluster(c, grpcIdentity));
      endpoints.add(Resources.endpoints(c, v, grpcPorts));
    }
    for (String c : HTTP_CLUSTERS) {
      clusters.add(cluster(c, httpIdentity));
      endpoints.add(Resources.endpoints(c, v, httpPorts));
    }
    List<Listener> listeners =
        List.of(
            Resources.rdsListener(GRPC_LISTENER, GRPC_ROUTES),
            Resources.rdsListener(HTTP_LISTENER, HTTP_ROUTES));
    List<RouteConfiguration> routes =
        List.of(
            routes(GRPC_ROUTES, GRPC_LISTENER, GRPC_CLUSTERS, weightA),
            routes(HTTP_ROUTES, HTTP_LISTENER, HTTP_CLUSTERS, weightA));
    return Snapshot.create(clusters, endpoints, listeners, routes, List.of(), v);
  }

  private static RouteConfiguration routes(
      String name, String listener, List<String> clusters, int weightA) {
    RouteConfiguration rc =
        Resources.weighted(
            name, listener, clusters.get(0), weightA, clusters.get(1), 100 - weightA);
    return rc.toBuilder()
        .setVirtualHosts(0, rc.getVirtualHosts(0).toBuilder().setRetryPolicy(RETRY))
        .build();
  }

  private static Cluster cluster(String name, String expectedIdentity) {
    return Resources.edsCluster(name).toBuilder()
        .setOutlierDetection(OUTLIERS)
        .setTransportSocket(
            TransportSocket.newBuilder()
                .setName("envoy.transport_sockets.tls")
                .setTypedConfig(Any.pack(mutualTls(expectedIdentity))))
        .build();
  }

  /** Istio's shape: the bootstrap's {@code default} provider for the certificate and the CA. */
  static UpstreamTlsContext mutualTls(String expectedIdentity) {
    CertificateProviderPluginInstance provider =
        CertificateProviderPluginInstance.newBuilder().setInstanceName("default").build();
    return UpstreamTlsContext.newBuilder()
        .setCommonTlsContext(
            CommonTlsContext.newBuilder()
                .setTlsCertificateProviderInstance(provider)
                .setCombinedValidationContext(
                    CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
                        .setDefaultValidationContext(
                            CertificateValidationContext.newBuilder()
                                .setCaCertificateProviderInstance(provider)
                                .addMatchTypedSubjectAltNames(
                                    SubjectAltNameMatcher.newBuilder()
                                        .setSanType(SubjectAltNameMatcher.SanType.URI)
                                        .setMatcher(
                                            StringMatcher.newBuilder()
                                                .setExact(expectedIdentity))))))
        .build();
  }
}
