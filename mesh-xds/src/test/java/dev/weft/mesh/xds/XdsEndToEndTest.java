package dev.weft.mesh.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.UInt32Value;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.http.MeshHttpClient;
import dev.weft.mesh.testing.FakeScheduler;
import dev.weft.mesh.testing.FakeTicker;
import dev.weft.mesh.testing.xds.Resources;
import dev.weft.mesh.testing.xds.TestControlPlane;
import dev.weft.mesh.xds.bootstrap.Bootstrap;
import dev.weft.mesh.xds.bootstrap.BootstrapLoader;
import dev.weft.mesh.xds.internal.client.XdsClientStatus;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The xDS source against Envoy's java-control-plane on loopback, driving a real mesh: routing by
 * {@code Mesh.decide} over many draws and HTTP calls through {@link MeshHttpClient} to two
 * backends.
 */
class XdsEndToEndTest {
  static final String HOST = "reviews.default.svc.cluster.local";
  static final String LISTENER = HOST + ":9080";
  static final String ROUTES = "9080";
  static final String V1 = "outbound|9080|v1|" + HOST;
  static final String V2 = "outbound|9080|v2|" + HOST;
  static final String CLUSTER_URL = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  static final String ROUTE_URL = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";

  HttpBackend v1;
  HttpBackend v2;
  TestControlPlane controlPlane;

  @BeforeEach
  void start() throws Exception {
    v1 = new HttpBackend("v1");
    v2 = new HttpBackend("v2");
    controlPlane = new TestControlPlane().start();
  }

  @AfterEach
  void stop() throws Exception {
    controlPlane.close();
    v1.close();
    v2.close();
  }

  Snapshot snapshot(String version, int weightV1, int weightV2) {
    return Snapshot.create(
        List.of(Resources.edsCluster(V1), Resources.edsCluster(V2)),
        List.of(Resources.endpoints(V1, "v1", v1.port()), Resources.endpoints(V2, "v2", v2.port())),
        List.of(Resources.rdsListener(LISTENER, ROUTES)),
        List.of(Resources.weighted(ROUTES, LISTENER, V1, weightV1, V2, weightV2)),
        List.of(),
        version);
  }

  XdsConfigSource.Builder source(Bootstrap bootstrap) {
    return XdsConfigSource.builder(bootstrap)
        .targets("xds:///" + LISTENER)
        .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200));
  }

  Bootstrap bootstrap() {
    return Bootstrap.forServer(controlPlane.target(), "test-node");
  }

  static double shareOfV1(Mesh mesh, int draws) {
    int n = 0;
    for (int i = 0; i < draws; i++) {
      if (mesh.decide(TestCall.to(LISTENER)).cluster().equals(V1)) {
        n++;
      }
    }
    return n / (double) draws;
  }

  static Map<String, Integer> httpCalls(MeshHttpClient http, String host, int calls)
      throws Exception {
    Map<String, Integer> counts = new HashMap<>();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://" + host + "/reviews/1")).build();
    for (int sent = 0; sent < calls; ) {
      List<CompletableFuture<HttpResponse<String>>> batch = new ArrayList<>();
      for (int i = 0; i < 50 && sent < calls; i++, sent++) {
        batch.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
      }
      for (CompletableFuture<HttpResponse<String>> f : batch) {
        HttpResponse<String> r = f.get(10, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        counts.merge(r.body(), 1, Integer::sum);
      }
    }
    return counts;
  }

  @Test
  void followsA70To30SplitAndThenA100To0Update() throws Exception {
    controlPlane.set(snapshot("1", 70, 30));
    try (Mesh mesh = Mesh.builder().configSource(source(bootstrap()).build()).build();
        MeshHttpClient http = MeshHttpClient.builder(mesh).build()) {
      await().atMost(Duration.ofSeconds(10)).until(mesh::ready);

      assertThat(shareOfV1(mesh, 10_000)).isBetween(0.67, 0.73);
      // The resources in force show in the config dump (after CSDS).
      assertThat(mesh.configDump())
          .contains("\"sourceStatus\"")
          .contains("\"connection\": \"connected\"")
          .contains("\"type\": \"Cluster\"")
          .contains(V1)
          .contains("\"type\": \"ClusterLoadAssignment\"");
      // 2,000 calls: three standard deviations of the share are about 3.1 points.
      Map<String, Integer> counts = httpCalls(http, "reviews", 2_000);
      assertThat(counts.get("v1") / 2000.0).isBetween(0.66, 0.74);
      assertThat(v1.hits.get() + v2.hits.get()).isEqualTo(2_000);

      controlPlane.set(snapshot("2", 100, 0));
      await()
          .atMost(Duration.ofSeconds(1))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> shareOfV1(mesh, 200) == 1.0);
      assertThat(httpCalls(http, HOST, 50)).containsOnlyKeys("v1");
      assertThat(controlPlane.acked(ROUTE_URL, "2")).isTrue();
    }
  }

  @Test
  void nacksAnInvalidClusterNamingItAndKeepsRoutingOnThePreviousVersion() throws Exception {
    controlPlane.set(snapshot("1", 70, 30));
    XdsConfigSource source = source(bootstrap()).build();
    try (Mesh mesh = Mesh.builder().configSource(source).build()) {
      await().atMost(Duration.ofSeconds(10)).until(mesh::ready);

      Cluster broken =
          Resources.edsCluster(V2).toBuilder()
              .setCircuitBreakers(
                  CircuitBreakers.newBuilder()
                      .addThresholds(
                          CircuitBreakers.Thresholds.newBuilder()
                              .setMaxRequests(UInt32Value.of(0))))
              .build();
      controlPlane.set(
          Snapshot.create(
              List.of(Resources.edsCluster(V1), broken),
              List.of(
                  Resources.endpoints(V1, "v1", v1.port()),
                  Resources.endpoints(V2, "v2", v2.port())),
              List.of(Resources.rdsListener(LISTENER, ROUTES)),
              List.of(Resources.weighted(ROUTES, LISTENER, V1, 70, V2, 30)),
              List.of(),
              "2"));

      await().atMost(Duration.ofSeconds(5)).until(() -> !controlPlane.nacks().isEmpty());
      DiscoveryRequest nack = controlPlane.nacks().get(0);
      assertThat(nack.getTypeUrl()).isEqualTo(CLUSTER_URL);
      assertThat(nack.getVersionInfo()).isEqualTo("1");
      assertThat(nack.getErrorDetail().getMessage())
          .contains("Cluster '" + V2 + "'")
          .contains("circuit_breakers.thresholds[0]")
          .contains("maxRequests");

      // The cluster response was refused as a whole: the clusters in force are still those of
      // version 1.
      assertThat(mesh.configVersion()).contains("cds:1");
      assertThat(mesh.config().cluster(V2).orElseThrow().circuitBreakers().maxRequests())
          .isEqualTo(1024);
      assertThat(shareOfV1(mesh, 5_000)).isBetween(0.67, 0.73);
      XdsClientStatus.TypeStatus cds = source.xdsStatus().client().type("Cluster").orElseThrow();
      assertThat(cds.rejected()).isGreaterThanOrEqualTo(1);
      assertThat(cds.version()).isEqualTo("1");
      assertThat(cds.lastError()).contains(V2);
      assertThat(source.xdsStatus().client().state())
          .isEqualTo(XdsClientStatus.ConnectionState.CONNECTED);

      // A fixed snapshot is taken on the same stream.
      controlPlane.set(snapshot("3", 100, 0));
      await().atMost(Duration.ofSeconds(3)).until(() -> shareOfV1(mesh, 200) == 1.0);
      await()
          .atMost(Duration.ofSeconds(3))
          .until(
              () ->
                  source.xdsStatus().client().type("Cluster").orElseThrow().version().equals("3"));
    }
  }

  @Test
  void keepsServingWhileTheControlPlaneIsDownAndReconnectsToItsRestart() throws Exception {
    controlPlane.set(snapshot("1", 0, 100));
    FakeScheduler xdsTime = new FakeScheduler(new FakeTicker());
    XdsConfigSource source =
        source(bootstrap()).scheduler(xdsTime).resourceTimeout(Duration.ofMinutes(5)).build();
    try (Mesh mesh = Mesh.builder().configSource(source).build();
        MeshHttpClient http = MeshHttpClient.builder(mesh).build()) {
      await().atMost(Duration.ofSeconds(10)).until(mesh::ready);
      int port = controlPlane.port();
      controlPlane.stop();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  source.xdsStatus().client().state()
                      == XdsClientStatus.ConnectionState.CONNECTING);

      // 30 s of xDS time, in one-second steps, with reconnection attempts failing all along.
      int streamsBefore = controlPlane.streamsOpened().get();
      for (int second = 0; second < 30; second++) {
        xdsTime.advance(Duration.ofSeconds(1));
        assertThat(httpCalls(http, "reviews", 3)).containsOnlyKeys("v2");
      }
      assertThat(mesh.configVersion()).contains("cds:1");
      assertThat(mesh.lastConfigError()).isInstanceOf(XdsUnavailableException.class);
      assertThat(controlPlane.streamsOpened().get()).isEqualTo(streamsBefore);

      controlPlane = new TestControlPlane().startOn(port);
      controlPlane.set(snapshot("2", 100, 0));
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                xdsTime.advance(Duration.ofSeconds(1));
                return mesh.configVersion().contains("rds:2");
              });
      assertThat(httpCalls(http, "reviews", 20)).containsOnlyKeys("v1");
      assertThat(source.xdsStatus().client().state())
          .isEqualTo(XdsClientStatus.ConnectionState.CONNECTED);
      // The new stream resubscribed to everything, starting from the versions in force.
      assertThat(controlPlane.requests())
          .anySatisfy(
              r -> {
                assertThat(r.getTypeUrl()).isEqualTo(CLUSTER_URL);
                assertThat(r.getVersionInfo()).isEqualTo("1");
                assertThat(r.getResponseNonce()).isEmpty();
                assertThat(r.getResourceNamesList()).containsExactlyInAnyOrder(V1, V2);
              });
      assertThat(controlPlane.requests())
          .anySatisfy(
              r -> {
                assertThat(r.getTypeUrl()).isEqualTo(ROUTE_URL);
                assertThat(r.getVersionInfo()).isEqualTo("1");
                assertThat(r.getResourceNamesList()).containsExactly(ROUTES);
              });
    }
  }

  @Test
  void aRestartWhileTheControlPlaneIsDownServesFromTheOnDiskCopy(@TempDir Path cacheDir)
      throws Exception {
    controlPlane.set(snapshot("1", 0, 100));
    try (Mesh mesh =
        Mesh.builder().configSource(source(bootstrap()).cacheDirectory(cacheDir).build()).build()) {
      await().atMost(Duration.ofSeconds(10)).until(mesh::ready);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () -> {
                try (var files = Files.list(cacheDir)) {
                  return files.filter(f -> f.toString().endsWith(".xds.pb")).count() == 4;
                }
              });
    }
    controlPlane.stop();

    XdsConfigSource restarted = source(bootstrap()).cacheDirectory(cacheDir).build();
    try (Mesh mesh = Mesh.builder().configSource(restarted).build();
        MeshHttpClient http = MeshHttpClient.builder(mesh).build()) {
      await().atMost(Duration.ofSeconds(5)).until(mesh::ready);
      assertThat(httpCalls(http, "reviews", 10)).containsOnlyKeys("v2");
      assertThat(restarted.xdsStatus().client().type("Listener").orElseThrow().fromCache())
          .isTrue();
      assertThat(restarted.xdsStatus().client().state())
          .isEqualTo(XdsClientStatus.ConnectionState.CONNECTING);
    }
  }

  @Test
  void istioShapedResourcesFromAnIstioBootstrapDriveRouting() throws Exception {
    Path file = Path.of(getClass().getResource("/xds/istio-grpc-bootstrap.json").toURI());
    Bootstrap istio = BootstrapLoader.fromFile(file);
    assertThat(istio.servers().get(0).serverUri()).isEqualTo("unix:///etc/istio/proxy/XDS");
    controlPlane.set(snapshot("1", 0, 100));
    try (Mesh mesh =
            Mesh.builder()
                .configSource(source(istio.withServerUri(controlPlane.target())).build())
                .build();
        MeshHttpClient http = MeshHttpClient.builder(mesh).build()) {
      await().atMost(Duration.ofSeconds(10)).until(mesh::ready);
      assertThat(mesh.config().service(LISTENER)).isPresent();
      assertThat(mesh.config().service(HOST)).isPresent();
      assertThat(mesh.config().service("reviews")).isPresent();
      assertThat(mesh.config().cluster(V2).orElseThrow().endpoints())
          .singleElement()
          .satisfies(e -> assertThat(e.labels()).containsEntry("version", "v2"));
      assertThat(httpCalls(http, HOST, 10)).containsOnlyKeys("v2");
      assertThat(mesh.decide(TestCall.to("reviews")).cluster()).isEqualTo(V2);

      DiscoveryRequest first = controlPlane.requests().get(0);
      assertThat(first.getNode().getId()).startsWith("sidecar~10.244.0.21~productpage-v1");
      assertThat(first.getNode().getMetadata().getFieldsOrThrow("GENERATOR").getStringValue())
          .isEqualTo("grpc");
      assertThat(
              first
                  .getNode()
                  .getMetadata()
                  .getFieldsOrThrow("LABELS")
                  .getStructValue()
                  .getFieldsOrThrow("app")
                  .getStringValue())
          .isEqualTo("productpage");
    }
  }
}
