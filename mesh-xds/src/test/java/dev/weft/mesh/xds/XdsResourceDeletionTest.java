package dev.weft.mesh.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.testing.xds.Resources;
import dev.weft.mesh.xds.bootstrap.Bootstrap;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * State-of-the-world deletions: a listener or cluster missing from a response no longer exists (its
 * service leaves, its cluster empties), unless the server declared ignore_resource_deletion.
 */
class XdsResourceDeletionTest {
  static final String LISTENER = "ratings.default.svc.cluster.local:9080";
  static final String CLUSTER = "outbound|9080||ratings.default.svc.cluster.local";

  Mesh start(ScriptedAdsServer ads, boolean ignoreDeletion) {
    Bootstrap plain = Bootstrap.forServer(ads.target(), "deletion");
    Bootstrap bootstrap =
        new Bootstrap(
            plain.node(),
            List.of(
                new Bootstrap.ServerInfo(
                    ads.target(),
                    Bootstrap.ChannelCredentials.INSECURE,
                    ignoreDeletion
                        ? List.of(Bootstrap.ServerInfo.IGNORE_RESOURCE_DELETION)
                        : List.of())),
            Map.of(),
            "",
            "%s");
    Mesh mesh =
        Mesh.builder()
            .configSource(XdsConfigSource.builder(bootstrap).targets("xds:///" + LISTENER).build())
            .build();
    await().atMost(Duration.ofSeconds(5)).until(() -> ads.connected() && ads.requests.size() >= 1);
    ads.send(XdsResourceTypes.LISTENER_URL, "1", Resources.rdsListener(LISTENER, "r"));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                ads.requests.stream()
                    .anyMatch(r -> r.getTypeUrl().equals(XdsResourceTypes.ROUTE_URL)));
    ads.send(
        XdsResourceTypes.ROUTE_URL, "1", Resources.weighted("r", LISTENER, CLUSTER, 1, CLUSTER, 0));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                ads.requests.stream()
                    .anyMatch(r -> r.getTypeUrl().equals(XdsResourceTypes.CLUSTER_URL)));
    ads.send(XdsResourceTypes.CLUSTER_URL, "1", Resources.edsCluster(CLUSTER));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                ads.requests.stream()
                    .anyMatch(r -> r.getTypeUrl().equals(XdsResourceTypes.ENDPOINT_URL)));
    ads.send(XdsResourceTypes.ENDPOINT_URL, "1", Resources.endpoints(CLUSTER, "v1", 9080));
    await().atMost(Duration.ofSeconds(5)).until(mesh::ready);
    return mesh;
  }

  @Test
  void aClusterMissingFromAResponseNoLongerExists() throws Exception {
    try (ScriptedAdsServer ads = new ScriptedAdsServer();
        Mesh mesh = start(ads, false)) {
      assertThat(mesh.config().cluster(CLUSTER).orElseThrow().endpoints()).hasSize(1);
      String nonce = ads.send(XdsResourceTypes.CLUSTER_URL, "2");
      await().atMost(Duration.ofSeconds(5)).until(() -> ads.acked(nonce));
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () -> mesh.config().cluster(CLUSTER).map(c -> c.endpoints().isEmpty()).orElse(false));

      String gone = ads.send(XdsResourceTypes.LISTENER_URL, "2");
      await().atMost(Duration.ofSeconds(5)).until(() -> ads.acked(gone));
      await().atMost(Duration.ofSeconds(5)).until(() -> mesh.config().services().isEmpty());
    }
  }

  @Test
  void ignoreResourceDeletionKeepsThem() throws Exception {
    try (ScriptedAdsServer ads = new ScriptedAdsServer();
        Mesh mesh = start(ads, true)) {
      String nonce = ads.send(XdsResourceTypes.CLUSTER_URL, "2");
      String gone = ads.send(XdsResourceTypes.LISTENER_URL, "2");
      await().atMost(Duration.ofSeconds(5)).until(() -> ads.acked(nonce) && ads.acked(gone));
      // Nothing may change after the acknowledgement: the resources stay for a while, not just now.
      await()
          .during(Duration.ofMillis(200))
          .atMost(Duration.ofSeconds(2))
          .until(
              () -> mesh.config().cluster(CLUSTER).map(c -> c.endpoints().size()).orElse(0) == 1);
      assertThat(mesh.config().service("ratings")).isPresent();
    }
  }
}
