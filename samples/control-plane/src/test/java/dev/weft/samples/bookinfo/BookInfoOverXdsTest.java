package dev.weft.samples.bookinfo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weft.samples.controlplane.ControlPlane;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BookInfo whose mesh reads its configuration from the sample control plane over ADS, the control
 * plane serving the scenario file: the routes come through xDS, and a new scenario written to the
 * file reaches the running services.
 */
class BookInfoOverXdsTest {
  @TempDir Path dir;

  @Test
  void bookInfoRoutesFromTheControlPlaneAndFollowsItsChanges() throws Exception {
    Scenarios.Ports ports = Scenarios.Ports.free();
    Path file = dir.resolve("mesh.yaml");
    Scenarios.write("jason-v2", ports, file);
    try (ControlPlane plane = ControlPlane.start(file, 0);
        BookInfoApp app =
            new BookInfoApp(
                ports,
                BookInfo.xdsSource("127.0.0.1:" + plane.port()),
                new SimpleMeterRegistry(),
                Duration.ZERO)) {
      await().atMost(Duration.ofSeconds(20)).until(app.mesh::ready);
      assertThat(app.mesh.configVersion()).startsWith("lds:");
      assertThat(Traffic.send(app.http, 30, "jason").reviewsVersions())
          .containsExactly(Map.entry("v2", 30));
      assertThat(Traffic.send(app.http, 30, null).reviewsVersions())
          .containsExactly(Map.entry("v1", 30));

      String before = app.mesh.configVersion();
      Scenarios.write("v1-v3-50-50", ports, file);
      await().atMost(Duration.ofSeconds(20)).until(() -> !app.mesh.configVersion().equals(before));
      Traffic.Tally tally = Traffic.send(app.http, 400, null);
      assertThat(tally.reviewsVersions()).containsOnlyKeys("v1", "v3");
      assertThat(tally.share("v3")).isBetween(40.0, 60.0);

      String beforeAbort = app.mesh.configVersion();
      Scenarios.write("ratings-abort", ports, file);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> !app.mesh.configVersion().equals(beforeAbort));
      assertThat(Traffic.send(app.http, 10, "jason").ratingsUnavailable()).isEqualTo(10);
    }
  }
}
