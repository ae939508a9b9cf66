package dev.weft.mesh.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.UInt32Value;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.testing.xds.Resources;
import dev.weft.mesh.testing.xds.TestControlPlane;
import dev.weft.mesh.xds.bootstrap.Bootstrap;
import dev.weft.mesh.xds.internal.client.XdsClientStatus;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The same flow over incremental (delta) ADS against java-control-plane. */
class XdsDeltaTest {
  static final String LISTENER = XdsEndToEndTest.LISTENER;
  static final String V1 = XdsEndToEndTest.V1;
  static final String V2 = XdsEndToEndTest.V2;

  static Snapshot snapshot(String version, int w1, int w2, Cluster c2) {
    return Snapshot.create(
        List.of(Resources.edsCluster(V1), c2),
        List.of(Resources.endpoints(V1, "v1", 9001), Resources.endpoints(V2, "v2", 9002)),
        List.of(Resources.rdsListener(LISTENER, "9080")),
        List.of(Resources.weighted("9080", LISTENER, V1, w1, V2, w2)),
        List.of(),
        version);
  }

  @Test
  void followsUpdatesNacksInvalidOnesAndReconnectsWithItsVersions() throws Exception {
    try (TestControlPlane cp = new TestControlPlane().start()) {
      cp.set(snapshot("1", 70, 30, Resources.edsCluster(V2)));
      XdsConfigSource source =
          XdsConfigSource.builder(Bootstrap.forServer(cp.target(), "delta"))
              .targets("xds:///" + LISTENER)
              .deltaXds(true)
              .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200))
              .build();
      try (Mesh mesh = Mesh.builder().configSource(source).build()) {
        await().atMost(Duration.ofSeconds(10)).until(mesh::ready);
        assertThat(XdsEndToEndTest.shareOfV1(mesh, 5_000)).isBetween(0.67, 0.73);
        assertThat(
                cp.deltaRequests().stream()
                    .filter(r -> r.getTypeUrl().equals(XdsResourceTypes.CLUSTER_URL))
                    .flatMap(r -> r.getResourceNamesSubscribeList().stream()))
            .containsExactlyInAnyOrder(V1, V2);

        cp.set(snapshot("2", 100, 0, Resources.edsCluster(V2)));
        await()
            .atMost(Duration.ofSeconds(1))
            .pollInterval(Duration.ofMillis(20))
            .until(() -> XdsEndToEndTest.shareOfV1(mesh, 200) == 1.0);

        Cluster broken =
            Resources.edsCluster(V2).toBuilder()
                .setCircuitBreakers(
                    CircuitBreakers.newBuilder()
                        .addThresholds(
                            CircuitBreakers.Thresholds.newBuilder()
                                .setMaxRequests(UInt32Value.of(0))))
                .build();
        cp.set(snapshot("3", 100, 0, broken));
        await()
            .atMost(Duration.ofSeconds(5))
            .until(
                () -> cp.deltaRequests().stream().anyMatch(DeltaDiscoveryRequest::hasErrorDetail));
        DeltaDiscoveryRequest nack =
            cp.deltaRequests().stream()
                .filter(DeltaDiscoveryRequest::hasErrorDetail)
                .findFirst()
                .orElseThrow();
        assertThat(nack.getErrorDetail().getMessage())
            .contains("Cluster '" + V2 + "'")
            .contains("maxRequests");
        assertThat(mesh.config().cluster(V2).orElseThrow().circuitBreakers().maxRequests())
            .isEqualTo(1024);

        int port = cp.port();
        cp.stop();
        await()
            .atMost(Duration.ofSeconds(5))
            .until(
                () ->
                    source.xdsStatus().client().state()
                        == XdsClientStatus.ConnectionState.CONNECTING);
        try (TestControlPlane restarted = new TestControlPlane().startOn(port)) {
          restarted.set(snapshot("4", 0, 100, Resources.edsCluster(V2)));
          await()
              .atMost(Duration.ofSeconds(10))
              .until(() -> XdsEndToEndTest.shareOfV1(mesh, 200) == 0.0);
          assertThat(restarted.deltaRequests())
              .anySatisfy(
                  r -> {
                    assertThat(r.getTypeUrl()).isEqualTo(XdsResourceTypes.CLUSTER_URL);
                    assertThat(r.getInitialResourceVersionsMap()).containsKeys(V1, V2);
                  });
        }
      }
    }
  }
}
