package dev.weft.mesh.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.testing.xds.Resources;
import dev.weft.mesh.testing.xds.TestControlPlane;
import dev.weft.mesh.xds.bootstrap.Bootstrap;
import dev.weft.mesh.xds.internal.client.XdsClientStatus;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A second xds_servers entry takes over when the first cannot be reached; meters count updates. */
class XdsFallbackAndMetricsTest {
  static final String LISTENER = "ratings.default.svc.cluster.local:9080";
  static final String CLUSTER = "outbound|9080||ratings.default.svc.cluster.local";

  @Test
  void fallsBackToTheSecondServerAndCountsUpdates() throws Exception {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    try (TestControlPlane secondary = new TestControlPlane().start()) {
      secondary.set(
          Snapshot.create(
              List.of(Resources.edsCluster(CLUSTER)),
              List.of(Resources.endpoints(CLUSTER, "v1", 9999)),
              List.of(Resources.rdsListener(LISTENER, "ratings")),
              List.of(Resources.weighted("ratings", LISTENER, CLUSTER, 1, CLUSTER, 0)),
              List.of(),
              "7"));
      Bootstrap one = Bootstrap.forServer("127.0.0.1:" + deadPort, "fallback");
      Bootstrap both =
          new Bootstrap(
              one.node(),
              List.of(
                  one.servers().get(0),
                  new Bootstrap.ServerInfo(
                      secondary.target(), Bootstrap.ChannelCredentials.INSECURE, List.of())),
              Map.of(),
              "",
              "%s");
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      XdsConfigSource source =
          XdsConfigSource.builder(both)
              .targets("xds:///" + LISTENER)
              .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(100))
              .meterRegistry(registry)
              .build();
      try (Mesh mesh = Mesh.builder().configSource(source).build()) {
        await().atMost(Duration.ofSeconds(10)).until(mesh::ready);
        assertThat(mesh.decide(TestCall.to("ratings")).cluster()).isEqualTo(CLUSTER);
        XdsClientStatus status = source.xdsStatus().client();
        assertThat(status.server()).isEqualTo(secondary.target());
        assertThat(status.state()).isEqualTo(XdsClientStatus.ConnectionState.CONNECTED);
        assertThat(source.xdsStatus().deliveredVersion()).isEqualTo("lds:7,rds:7,cds:7,eds:7");
        assertThat(
                registry
                    .get("weft.xds.updates")
                    .tag("type", "Cluster")
                    .tag("result", "accepted")
                    .counter()
                    .count())
            .isEqualTo(1.0);
        assertThat(registry.get("weft.xds.connected").gauge().value()).isEqualTo(1.0);
        assertThat(source.description()).startsWith("xds:127.0.0.1:" + deadPort);

        // gRFC A71: once the primary is up, the client goes back to it and takes its configuration.
        try (TestControlPlane primary = new TestControlPlane().startOn(deadPort)) {
          primary.set(
              Snapshot.create(
                  List.of(Resources.edsCluster(CLUSTER)),
                  List.of(Resources.endpoints(CLUSTER, "v1", 9998)),
                  List.of(Resources.rdsListener(LISTENER, "ratings")),
                  List.of(Resources.weighted("ratings", LISTENER, CLUSTER, 1, CLUSTER, 0)),
                  List.of(),
                  "8"));
          await()
              .atMost(Duration.ofSeconds(15))
              .until(() -> mesh.decide(TestCall.to("ratings")).endpoint().port() == 9998);
          assertThat(source.xdsStatus().client().server()).isEqualTo("127.0.0.1:" + deadPort);
          assertThat(source.xdsStatus().deliveredVersion()).isEqualTo("lds:8,rds:8,cds:8,eds:8");
        }
      }
    }
  }
}
