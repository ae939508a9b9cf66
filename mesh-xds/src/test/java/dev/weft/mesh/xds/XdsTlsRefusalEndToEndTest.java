package dev.weft.mesh.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import dev.weft.mesh.api.config.TlsSettings;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.testing.xds.Resources;
import dev.weft.mesh.testing.xds.TestControlPlane;
import dev.weft.mesh.xds.bootstrap.Bootstrap;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Over a real ADS stream from java-control-plane: a cluster update that asks for a validation
 * setting Weft cannot enforce is NACKed with the field named, the cluster's previous TLS settings
 * stay in force, and the next valid update is taken.
 */
class XdsTlsRefusalEndToEndTest {
  static final String LISTENER = "ratings.default.svc.cluster.local:9080";
  static final String ROUTES = "9080";
  static final String CLUSTER = "outbound|9080||ratings.default.svc.cluster.local";
  static final String CLUSTER_URL = XdsResourceTypes.CLUSTER_URL;

  static Cluster cluster(UpstreamTlsContext tls) {
    return Resources.edsCluster(CLUSTER).toBuilder()
        .setTransportSocket(
            TransportSocket.newBuilder()
                .setName("envoy.transport_sockets.tls")
                .setTypedConfig(Any.pack(tls)))
        .build();
  }

  static Snapshot snapshot(Cluster cluster, String version) {
    return Snapshot.create(
        List.of(cluster),
        List.of(Resources.endpoints(CLUSTER, "v1", 9443)),
        List.of(Resources.rdsListener(LISTENER, ROUTES)),
        List.of(Resources.weighted(ROUTES, LISTENER, CLUSTER, 1, CLUSTER, 1)),
        List.of(),
        version);
  }

  static TlsSettings tlsInForce(Mesh mesh) {
    return mesh.config().cluster(CLUSTER).orElseThrow().tls();
  }

  @Test
  void anUnenforceableValidationFieldIsNackedAndThePreviousClusterStays() throws Exception {
    try (TestControlPlane cp = new TestControlPlane().start()) {
      Bootstrap plain = Bootstrap.forServer(cp.target(), "ratings-client");
      Bootstrap bootstrap =
          new Bootstrap(
              plain.node(),
              plain.servers(),
              Map.of("default", UpstreamTlsParserTest.DEFAULT),
              "",
              "%s");
      cp.set(snapshot(cluster(UpstreamTlsParserTest.istio()), "1"));
      XdsConfigSource source =
          XdsConfigSource.builder(bootstrap).targets("xds:///" + LISTENER).build();
      try (Mesh mesh = Mesh.builder().configSource(source).build()) {
        await().atMost(Duration.ofSeconds(10)).until(mesh::ready);
        assertThat(tlsInForce(mesh)).isEqualTo(UpstreamTlsParserTest.EXPECTED);

        UpstreamTlsContext.Builder depth = UpstreamTlsParserTest.current().toBuilder();
        UpstreamTlsParserTest.validation(depth).setMaxVerifyDepth(UInt32Value.of(2));
        UpstreamTlsParserTest.validation(depth)
            .setMatchTypedSubjectAltNames(
                0,
                UpstreamTlsParserTest.uri(
                    UpstreamTlsParserTest.exact("spiffe://weft.test/ns/default/sa/reviews")));
        cp.set(snapshot(cluster(depth.build()), "2"));

        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> cp.nacks().stream().anyMatch(r -> r.getTypeUrl().equals(CLUSTER_URL)));
        DiscoveryRequest nack =
            cp.nacks().stream().filter(r -> r.getTypeUrl().equals(CLUSTER_URL)).findFirst().get();
        assertThat(nack.getVersionInfo()).isEqualTo("1");
        assertThat(nack.getErrorDetail().getMessage())
            .contains("Cluster '" + CLUSTER + "'")
            .contains(UpstreamTlsParserTest.V + ".max_verify_depth: not supported");
        assertThat(cp.acked(CLUSTER_URL, "2")).isFalse();
        // The refused version changed nothing: the cluster keeps the identity it expected before.
        assertThat(tlsInForce(mesh)).isEqualTo(UpstreamTlsParserTest.EXPECTED);
        assertThat(mesh.config().version()).contains("cds:1");
        assertThat(source.xdsStatus().client().type("Cluster").orElseThrow().lastError())
            .contains("max_verify_depth");

        // A valid update after the refusal is taken.
        UpstreamTlsContext.Builder reviews = UpstreamTlsParserTest.current().toBuilder();
        UpstreamTlsParserTest.validation(reviews)
            .setMatchTypedSubjectAltNames(
                0,
                UpstreamTlsParserTest.uri(
                    UpstreamTlsParserTest.exact("spiffe://weft.test/ns/default/sa/reviews")));
        cp.set(snapshot(cluster(reviews.build()), "3"));
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    tlsInForce(mesh)
                        .subjectAltNames()
                        .equals(List.of("spiffe://weft.test/ns/default/sa/reviews")));
        assertThat(cp.acked(CLUSTER_URL, "3")).isTrue();
      }
    }
  }
}
