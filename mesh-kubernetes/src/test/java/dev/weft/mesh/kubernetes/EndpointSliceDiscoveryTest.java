package dev.weft.mesh.kubernetes;

import static dev.weft.mesh.kubernetes.Resources.endpoint;
import static dev.weft.mesh.kubernetes.Resources.pod;
import static dev.weft.mesh.kubernetes.Resources.service;
import static dev.weft.mesh.kubernetes.Resources.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.http.MeshHttpClient;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Endpoints from EndpointSlices, followed while they change under load. */
class EndpointSliceDiscoveryTest {
  private ApiServer api;
  private final List<Backend> backends = new ArrayList<>();
  private KubernetesConfigSource source;
  private Mesh mesh;
  private MeshHttpClient client;
  private int port;

  @BeforeEach
  void setUp() throws IOException {
    api = new ApiServer();
    try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      port = s.getLocalPort();
    }
    for (int i = 1; i <= 5; i++) {
      backends.add(new Backend("pod-" + i, "127.0.0." + i, port));
      api.admin()
          .pods()
          .resource(pod("pod-" + i, Map.of("app", "reviews", "version", "v" + i)))
          .create();
    }
    api.admin().services().resource(service("reviews", 9080)).create();
  }

  @AfterEach
  void tearDown() {
    if (client != null) {
      client.close();
    }
    if (mesh != null) {
      mesh.close();
    }
    if (source != null) {
      source.close();
    }
    backends.forEach(Backend::close);
    api.close();
  }

  private void startMesh() {
    source =
        KubernetesConfigSource.builder()
            .client(api.client())
            .namespaces("default")
            .watchRoutes(false)
            .build();
    mesh = Mesh.builder().configSource(source).build();
    client = MeshHttpClient.builder(mesh).build();
  }

  /** {@code pod} entries: a positive number is a ready pod, a negative one a terminating pod. */
  private EndpointSlice sliceOf(int... pods) {
    List<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint> eps = new ArrayList<>();
    for (int p : pods) {
      int n = Math.abs(p);
      eps.add(endpoint("pod-" + n, "127.0.0." + n, p < 0));
    }
    return slice("reviews-abc", "reviews", port, eps);
  }

  private Set<String> endpointsInForce() {
    return mesh
        .config()
        .cluster("reviews.default")
        .map(Cluster::endpoints)
        .orElse(List.of())
        .stream()
        .map(Endpoint::host)
        .collect(Collectors.toSet());
  }

  @Test
  void endpointsCarryLocalityAndPodLabels() throws Exception {
    api.admin().discovery().v1().endpointSlices().resource(sliceOf(1, 2)).create();
    startMesh();
    assertThat(mesh.awaitReady(Duration.ofSeconds(20))).isTrue();
    Cluster cluster = mesh.config().cluster("reviews.default").orElseThrow();
    assertThat(cluster.endpoints())
        .extracting(Endpoint::address)
        .containsExactlyInAnyOrder("127.0.0.1:" + port, "127.0.0.2:" + port);
    Endpoint first =
        cluster.endpoints().stream()
            .filter(e -> e.host().equals("127.0.0.1"))
            .findFirst()
            .orElseThrow();
    assertThat(first.labels()).containsEntry("version", "v1").containsEntry("app", "reviews");
    assertThat(first.locality().zone()).isEqualTo("zone-a");
    assertThat(first.locality().subZone()).isEqualTo("node-1");
    assertThat(mesh.config().service("reviews")).isPresent();
    assertThat(mesh.config().service("reviews.default.svc.cluster.local")).isPresent();
    assertThat(source.synced()).isTrue();
    @SuppressWarnings("unchecked")
    Map<String, Object> services = (Map<String, Object>) source.status().get("services");
    assertThat(services).containsKey("default/reviews");
  }

  @Test
  void scalingTwoToFiveAndBackUnderLoad() throws Exception {
    api.admin().discovery().v1().endpointSlices().resource(sliceOf(1, 2)).create();
    startMesh();
    assertThat(mesh.awaitReady(Duration.ofSeconds(20))).isTrue();
    try (Load load = new Load(client, "http://reviews/ratings", 200)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> load.succeeded.get() > 100);

      backends.forEach(b -> b.clock = load.issued::get);
      AtomicInteger appliedAt = new AtomicInteger(-1);
      AtomicLong appliedNanos = new AtomicLong();
      mesh.addConfigListener(
          c -> {
            if (c.cluster("reviews.default").map(cl -> cl.endpoints().size()).orElse(0) == 5
                && appliedAt.compareAndSet(-1, load.issued.get())) {
              appliedNanos.set(System.nanoTime());
            }
          });
      long scaledUp = System.nanoTime();
      api.admin().discovery().v1().endpointSlices().resource(sliceOf(1, 2, 3, 4, 5)).update();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> backends.stream().allMatch(b -> b.calls.get() > 0));
      System.out.printf(
          "scale-up: API write to mesh in force %d ms%n",
          TimeUnit.NANOSECONDS.toMillis(appliedNanos.get() - scaledUp));
      // Once the mesh has the new endpoints, each must get calls within 1 s of load (200 calls at
      // 200/s). Counted in calls, not wall time, so that a loaded machine cannot fail it.
      for (Backend b : backends.subList(2, 5)) {
        System.out.printf(
            "scale-up: %s first called %d calls (%d ms) after the mesh had it%n",
            b.name,
            b.firstCallAt - appliedAt.get(),
            TimeUnit.NANOSECONDS.toMillis(b.firstCallNanos.get() - appliedNanos.get()));
        assertThat(b.firstCallAt - appliedAt.get())
            .as("calls started between the new configuration and %s's first call", b.name)
            .isLessThanOrEqualTo(200);
      }

      api.admin().discovery().v1().endpointSlices().resource(sliceOf(1, 2)).update();
      await().atMost(Duration.ofSeconds(10)).until(() -> endpointsInForce().size() == 2);
      // Calls picked before the swap may still be on their way; give them time to land.
      await().pollDelay(Duration.ofMillis(300)).until(() -> true);
      int[] removedCounts = backends.subList(2, 5).stream().mapToInt(b -> b.calls.get()).toArray();
      int survivorsBefore = backends.get(0).calls.get() + backends.get(1).calls.get();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  backends.get(0).calls.get() + backends.get(1).calls.get()
                      > survivorsBefore + 200);
      assertThat(backends.subList(2, 5).stream().mapToInt(b -> b.calls.get()).toArray())
          .as("calls to removed endpoints")
          .isEqualTo(removedCounts);
      assertThat(load.failures).as("failed calls").isEmpty();
    }
    assertThat(endpointsInForce()).containsExactlyInAnyOrder("127.0.0.1", "127.0.0.2");
  }

  private void updateSlice(int... pods) {
    api.admin().discovery().v1().endpointSlices().resource(sliceOf(pods)).update();
  }

  private void awaitInForce(String... hosts) {
    await().atMost(Duration.ofSeconds(30)).until(() -> endpointsInForce().equals(Set.of(hosts)));
  }

  private int callsTo(int... pods) {
    int sum = 0;
    for (int p : pods) {
      sum += backends.get(p - 1).calls.get();
    }
    return sum;
  }

  /** Waits until {@code pods} got {@code more} calls beyond what they have now. */
  private void awaitMoreCalls(int more, int... pods) {
    int before = callsTo(pods);
    await().atMost(Duration.ofSeconds(30)).until(() -> callsTo(pods) >= before + more);
  }

  @Test
  void rollingUpdateUnderLoadFailsNoIdempotentCall() throws Exception {
    api.admin().discovery().v1().endpointSlices().resource(sliceOf(1, 2)).create();
    startMesh();
    assertThat(mesh.awaitReady(Duration.ofSeconds(20))).isTrue();
    try (Load load = new Load(client, "http://reviews/ratings", 200)) {
      awaitMoreCalls(100, 1, 2);
      // pod-3 starts and becomes ready; pod-1 goes serving+terminating, then leaves and exits.
      updateSlice(1, 2, 3);
      awaitInForce("127.0.0.1", "127.0.0.2", "127.0.0.3");
      updateSlice(-1, 2, 3);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  mesh.config().cluster("reviews.default").orElseThrow().endpoints().stream()
                      .anyMatch(e -> e.host().equals("127.0.0.1") && e.priority() == 1));
      await().pollDelay(Duration.ofMillis(300)).until(() -> true);
      int terminatingCalls = callsTo(1);
      awaitMoreCalls(200, 2, 3);
      assertThat(callsTo(1)).as("new calls to the terminating pod-1").isEqualTo(terminatingCalls);
      updateSlice(2, 3);
      awaitInForce("127.0.0.2", "127.0.0.3");
      await().pollDelay(Duration.ofMillis(300)).until(() -> true);
      backends.get(0).close();
      // The same for pod-2, replaced by pod-4.
      updateSlice(2, 3, 4);
      awaitInForce("127.0.0.2", "127.0.0.3", "127.0.0.4");
      updateSlice(-2, 3, 4);
      awaitMoreCalls(100, 3, 4);
      updateSlice(3, 4);
      awaitInForce("127.0.0.3", "127.0.0.4");
      await().pollDelay(Duration.ofMillis(300)).until(() -> true);
      backends.get(1).close();
      awaitMoreCalls(200, 3, 4);
      load.close();
      assertThat(load.failures).as("failed calls").isEmpty();
      assertThat(load.succeeded.get()).isGreaterThan(800);
    }
  }

  @Test
  void terminatingEndpointsTakeCallsWhenNothingElseIsLeft() throws Exception {
    api.admin().discovery().v1().endpointSlices().resource(sliceOf(-1, -2)).create();
    startMesh();
    assertThat(mesh.awaitReady(Duration.ofSeconds(20))).isTrue();
    for (int i = 0; i < 20; i++) {
      assertThat(
              client
                  .send(
                      java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://reviews/"))
                          .build(),
                      java.net.http.HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(200);
    }
    assertThat(callsTo(1)).isPositive();
    assertThat(callsTo(2)).isPositive();
  }
}
