package dev.weft.mesh.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.api.spi.StartupMode;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.http.MeshHttpClient;
import dev.weft.mesh.testing.xds.Resources;
import dev.weft.mesh.testing.xds.TestControlPlane;
import dev.weft.mesh.xds.bootstrap.Bootstrap;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up over xDS: calls wait for the first complete configuration, and say what is missing. */
class XdsStartupTest {
  static final String HOST = "reviews.default.svc.cluster.local";
  static final String LISTENER = HOST + ":9080";
  static final String ROUTES = "9080";
  static final String V1 = "outbound|9080|v1|" + HOST;

  HttpBackend v1;
  TestControlPlane controlPlane;

  @BeforeEach
  void start() throws Exception {
    v1 = new HttpBackend("v1");
    controlPlane = new TestControlPlane().start();
  }

  @AfterEach
  void stop() throws Exception {
    controlPlane.close();
    v1.close();
  }

  private Snapshot complete(String version) {
    return Snapshot.create(
        List.of(Resources.edsCluster(V1)),
        List.of(Resources.endpoints(V1, "v1", v1.port())),
        List.of(Resources.rdsListener(LISTENER, ROUTES)),
        List.of(Resources.weighted(ROUTES, LISTENER, V1, 100, V1, 0)),
        List.of(),
        version);
  }

  private XdsConfigSource.Builder source(String target) {
    return XdsConfigSource.builder(Bootstrap.forServer(target, "startup"))
        .targets("xds:///" + LISTENER)
        .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200));
  }

  private static HttpRequest get(Duration timeout) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://reviews/reviews/1"));
    if (timeout != null) {
      b.timeout(timeout);
    }
    return b.build();
  }

  @Test
  void aCallMadeBeforeTheControlPlaneAnswersSucceedsOnceTheConfigurationIsComplete()
      throws Exception {
    try (Mesh mesh = Mesh.builder().configSource(source(controlPlane.target()).build()).build();
        MeshHttpClient http = MeshHttpClient.builder(mesh).build()) {
      CompletableFuture<HttpResponse<String>> early =
          http.sendAsync(get(null), HttpResponse.BodyHandlers.ofString());
      assertThat(early).isNotDone();

      controlPlane.set(complete("1"));

      assertThat(early.get(10, TimeUnit.SECONDS).body()).isEqualTo("v1");
    }
  }

  @Test
  void aCallThatWaitsInVainNamesTheServerAndTheResourcesStillAwaited() throws Exception {
    controlPlane.set(
        Snapshot.create(
            List.of(),
            List.of(),
            List.of(Resources.rdsListener(LISTENER, "missing-routes")),
            List.of(),
            List.of(),
            "1"));
    XdsConfigSource source = source(controlPlane.target()).build();
    try (Mesh mesh = Mesh.builder().name("xds").configSource(source).build();
        MeshHttpClient http = MeshHttpClient.builder(mesh).build()) {
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> source.xdsStatus().awaiting().contains("RouteConfiguration missing-routes"));

      assertThatThrownBy(
              () -> http.send(get(Duration.ofMillis(300)), HttpResponse.BodyHandlers.ofString()))
          .isInstanceOfSatisfying(
              MeshException.class,
              e -> {
                assertThat(e.reason()).isEqualTo(MeshException.Reason.NOT_READY);
                assertThat(e.getMessage())
                    .contains("mesh 'xds' still has no configuration after the call waited")
                    .contains("xDS server " + controlPlane.target() + " (connected)")
                    .contains("to send RouteConfiguration missing-routes")
                    .contains("waiting since");
              });
    }
  }

  @Test
  void withTheControlPlaneDownTheMessageSaysSoAndNamesTheListener() throws Exception {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    String target = "127.0.0.1:" + deadPort;
    XdsConfigSource source = source(target).build();
    try (Mesh mesh = Mesh.builder().configSource(source).build()) {
      assertThat(mesh.startupMode()).isEqualTo(StartupMode.WAIT);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> !source.xdsStatus().client().lastStreamError().isEmpty());
      assertThat(source.awaiting())
          .startsWith("xDS server " + target + " (connecting; last stream error: ")
          .contains("to send Listener " + LISTENER);
      assertThat(mesh.awaitReady(Duration.ofMillis(50))).isFalse();
    }
  }

  @Test
  void failFastFailsTheBuildWhenTheControlPlaneDoesNotAnswerInTime() throws Exception {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    XdsConfigSource source =
        source("127.0.0.1:" + deadPort).startupMode(StartupMode.FAIL_FAST).build();
    assertThatThrownBy(
            () -> Mesh.builder().configSource(source).startupWait(Duration.ofMillis(200)).build())
        .isInstanceOf(MeshException.class)
        .hasMessageContaining("startup mode fail-fast")
        .hasMessageContaining("xDS server 127.0.0.1:" + deadPort);
    // The build closed the source: its client thread ends.
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.isAlive() && t.getName().startsWith("weft-xds-client")));
  }

  @Test
  void serveCachedStartsFromTheCopyWithTheControlPlaneDownAndSaysSo(@TempDir Path cacheDir)
      throws Exception {
    controlPlane.set(complete("1"));
    try (Mesh mesh =
        Mesh.builder()
            .configSource(source(controlPlane.target()).cacheDirectory(cacheDir).build())
            .build()) {
      assertThat(mesh.awaitReady(Duration.ofSeconds(10))).isTrue();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () -> {
                try (var files = Files.list(cacheDir)) {
                  return files.filter(f -> f.toString().endsWith(".xds.pb")).count() == 4;
                }
              });
    }
    String target = controlPlane.target();
    controlPlane.stop();

    XdsConfigSource restarted =
        source(target).cacheDirectory(cacheDir).startupMode(StartupMode.SERVE_CACHED).build();
    try (Mesh mesh = Mesh.builder().configSource(restarted).build();
        MeshHttpClient http = MeshHttpClient.builder(mesh).build()) {
      assertThat(mesh.startupMode()).isEqualTo(StartupMode.SERVE_CACHED);
      assertThat(http.send(get(null), HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("v1");
      assertThat(restarted.status())
          .containsEntry("startupMode", "serve-cached")
          .containsEntry("servingFromCache", true);
      assertThat(mesh.configDump()).contains("\"servingFromCache\": true");
    }

    // In wait mode the copy is kept but not served: with the server down there is no configuration.
    XdsConfigSource waiting =
        source(target).cacheDirectory(cacheDir).startupMode(StartupMode.WAIT).build();
    try (Mesh mesh = Mesh.builder().configSource(waiting).build()) {
      assertThat(mesh.awaitReady(Duration.ofMillis(300))).isFalse();
      assertThat(waiting.status()).containsEntry("servingFromCache", false);
    }
  }

  @Test
  void serveCachedNeedsACacheDirectory() {
    assertThatThrownBy(
            () -> source(controlPlane.target()).startupMode(StartupMode.SERVE_CACHED).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cacheDirectory");
  }
}
