package dev.weft.mesh.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.UInt64Value;
import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.testing.xds.Resources;
import dev.weft.mesh.testing.xds.TestControlPlane;
import dev.weft.mesh.xds.bootstrap.Bootstrap;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Resources that are valid on their own but make a configuration the mesh refuses (here ring-hash
 * options it rejects) are NACKed too, naming the cluster; the configuration in force stays.
 */
class XdsMeshRejectionTest {
  static final String LISTENER = "details.default.svc.cluster.local:9080";
  static final String CLUSTER = "outbound|9080||details.default.svc.cluster.local";

  static Snapshot snapshot(String version, Cluster cluster) {
    return Snapshot.create(
        List.of(cluster),
        List.of(Resources.endpoints(CLUSTER, "v1", 9999)),
        List.of(Resources.rdsListener(LISTENER, "details")),
        List.of(Resources.weighted("details", LISTENER, CLUSTER, 1, CLUSTER, 0)),
        List.of(),
        version);
  }

  @Test
  void aConfigurationTheMeshRefusesIsNackedAndTheOneInForceStays() throws Exception {
    try (TestControlPlane cp = new TestControlPlane().start()) {
      cp.set(snapshot("1", Resources.edsCluster(CLUSTER)));
      XdsConfigSource source =
          XdsConfigSource.builder(Bootstrap.forServer(cp.target(), "reject"))
              .targets("xds:///" + LISTENER)
              .build();
      try (Mesh mesh = Mesh.builder().configSource(source).build()) {
        await().atMost(Duration.ofSeconds(10)).until(mesh::ready);
        Cluster ringHash =
            Resources.edsCluster(CLUSTER).toBuilder()
                .setLbPolicy(Cluster.LbPolicy.RING_HASH)
                .setRingHashLbConfig(
                    Cluster.RingHashLbConfig.newBuilder()
                        .setMinimumRingSize(UInt64Value.of(4096))
                        .setMaximumRingSize(UInt64Value.of(16)))
                .build();
        cp.set(snapshot("2", ringHash));
        await().atMost(Duration.ofSeconds(5)).until(() -> !cp.nacks().isEmpty());
        DiscoveryRequest nack = cp.nacks().get(0);
        assertThat(nack.getTypeUrl()).isEqualTo(XdsResourceTypes.CLUSTER_URL);
        assertThat(nack.getErrorDetail().getMessage())
            .contains("xDS Cluster " + CLUSTER)
            .contains("minRingSize");
        assertThat(mesh.config().cluster(CLUSTER).orElseThrow().loadBalancing().policy())
            .isEqualTo("round_robin");
        assertThat(mesh.configVersion()).contains("cds:1");
        assertThat(mesh.lastConfigError()).isInstanceOf(InvalidConfigException.class);
      }
    }
  }
}
