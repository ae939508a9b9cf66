package dev.weft.mesh.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.testing.FakeScheduler;
import dev.weft.mesh.testing.FakeTicker;
import dev.weft.mesh.testing.xds.Resources;
import dev.weft.mesh.testing.xds.TestControlPlane;
import dev.weft.mesh.xds.bootstrap.Bootstrap;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Does-not-exist timers on an injected scheduler, and that a closed source leaves no threads
 * behind.
 */
class XdsResourceTimerTest {

  @Test
  void aRouteConfigurationNeverSentIsTakenNotToExistAfterFifteenSeconds() throws Exception {
    try (TestControlPlane cp = new TestControlPlane().start()) {
      // The listener points at a route configuration the server does not have.
      cp.set(
          Snapshot.create(
              List.of(),
              List.of(),
              List.of(Resources.rdsListener("svc:80", "missing-routes")),
              List.of(),
              List.of(),
              "1"));
      FakeScheduler time = new FakeScheduler(new FakeTicker());
      XdsConfigSource source =
          XdsConfigSource.builder(Bootstrap.forServer(cp.target(), "timer"))
              .targets("xds:///svc:80")
              .scheduler(time)
              .build();
      try (Mesh mesh = Mesh.builder().configSource(source).build()) {
        await()
            .atMost(Duration.ofSeconds(5))
            .until(
                () -> source.xdsStatus().awaiting().contains("RouteConfiguration missing-routes"));
        time.advance(Duration.ofSeconds(14));
        // At 14 s the resource has not timed out: the mesh stays without a configuration.
        await()
            .during(Duration.ofMillis(200))
            .atMost(Duration.ofSeconds(2))
            .until(() -> !mesh.ready());

        time.advance(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(5)).until(mesh::ready);
        assertThat(mesh.config().services()).isEmpty();
        assertThat(source.xdsStatus().awaiting()).isEmpty();
      }
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.isAlive() && t.getName().startsWith("weft-xds-client")));
  }
}
