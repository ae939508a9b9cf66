package dev.weft.mesh.kubernetes;

import static dev.weft.mesh.kubernetes.Resources.endpoint;
import static dev.weft.mesh.kubernetes.Resources.service;
import static dev.weft.mesh.kubernetes.Resources.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The source against an API server that goes away, comes back changed, and says 410 Gone. */
class WatchResilienceTest {
  /**
   * How long the API server stays down. The scenario is 30 s; the default is shorter to
   * keep the build quick (nothing in the source depends on the length: the informers retry every
   * 100 ms here); {@code -Dweft.test.apiOutageSeconds=30} runs the full scenario.
   */
  private static final Duration OUTAGE =
      Duration.ofSeconds(Long.getLong("weft.test.apiOutageSeconds", 5));

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
    for (int i = 1; i <= 4; i++) {
      backends.add(new Backend("pod-" + i, "127.0.0." + i, port));
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

  private EndpointSlice sliceOf(int... pods) {
    List<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint> eps = new ArrayList<>();
    for (int p : pods) {
      eps.add(endpoint("pod-" + p, "127.0.0." + p, false));
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
  void lastEndpointsServeThroughAnOutageAndChangesAfterItAreFollowed() throws Exception {
    api.admin().discovery().v1().endpointSlices().resource(sliceOf(1, 2)).create();
    source =
        KubernetesConfigSource.builder()
            .client(api.client())
            .namespaces("default")
            .watchRoutes(false)
            .podLabels(false)
            .build();
    mesh = Mesh.builder().configSource(source).build();
    client = MeshHttpClient.builder(mesh).build();
    assertThat(mesh.awaitReady(Duration.ofSeconds(20))).isTrue();
    await().atMost(Duration.ofSeconds(20)).until(source::watching);

    try (Load load = new Load(client, "http://reviews/details", 100)) {
      await().atMost(Duration.ofSeconds(20)).until(() -> load.succeeded.get() > 50);
      api.stop();
      await().atMost(Duration.ofSeconds(20)).until(() -> !source.watching());
      assertThat(source.status()).containsEntry("watching", false);
      int beforeOutage = load.succeeded.get();
      await().pollDelay(OUTAGE).atMost(OUTAGE.plusSeconds(1)).until(() -> true);
      assertThat(load.succeeded.get() - beforeOutage)
          .as("calls that succeeded while the API server was down")
          .isGreaterThan(0);
      assertThat(load.failures).isEmpty();
      assertThat(endpointsInForce()).containsExactlyInAnyOrder("127.0.0.1", "127.0.0.2");

      // The API server returns with its watch cache moved on: resuming watches get 410 Gone until
      // they relist. The Deployment changed meanwhile.
      api.goneBelow(Long.MAX_VALUE);
      api.start();
      EndpointSlice changed =
          api.admin().discovery().v1().endpointSlices().resource(sliceOf(3, 4)).update();
      api.goneBelow(Long.parseLong(changed.getMetadata().getResourceVersion()));

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> endpointsInForce().equals(Set.of("127.0.0.3", "127.0.0.4")));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> backends.get(2).calls.get() > 20 && backends.get(3).calls.get() > 20);
      await().atMost(Duration.ofSeconds(30)).until(source::watching);
      assertThat(api.goneAnswers()).as("watches answered 410 Gone").isPositive();
      int oldCalls = backends.get(0).calls.get() + backends.get(1).calls.get();
      int newCalls = backends.get(2).calls.get() + backends.get(3).calls.get();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> backends.get(2).calls.get() + backends.get(3).calls.get() > newCalls + 100);
      assertThat(backends.get(0).calls.get() + backends.get(1).calls.get())
          .as("new calls to the endpoints that left during the outage")
          .isEqualTo(oldCalls);
      load.close();
      assertThat(load.failures).as("failed calls").isEmpty();
    }
  }

  @Test
  void aMissingPermissionFailsStartUpNamingVerbResourceAndNamespace() {
    api.deny("watch", "endpointslices", "default");
    source = KubernetesConfigSource.builder().client(api.client()).namespaces("default").build();
    assertThatThrownBy(() -> Mesh.builder().configSource(source).build())
        .isInstanceOf(KubernetesPermissionException.class)
        .hasMessageContaining("cannot watch endpointslices.discovery.k8s.io in namespace default")
        .hasMessageContaining("apiGroups: [\"discovery.k8s.io\"], resources: [\"endpointslices\"]")
        .satisfies(
            e ->
                assertThat(((KubernetesPermissionException) e).missing())
                    .containsExactly(
                        "watch endpointslices.discovery.k8s.io in namespace default (no RBAC rule allows it)"));
  }

  @Test
  void everyMissingPermissionIsNamedOnce() {
    api.deny("list", "pods", "default");
    api.deny("list", "httproutes", "default");
    source = KubernetesConfigSource.builder().client(api.client()).namespaces("default").build();
    assertThatThrownBy(
            () ->
                source.start(
                    new dev.weft.mesh.api.spi.ConfigListener() {
                      @Override
                      public void onConfig(dev.weft.mesh.api.config.MeshConfig config) {}

                      @Override
                      public void onError(Throwable error) {}
                    }))
        .isInstanceOf(KubernetesPermissionException.class)
        .hasMessageContaining("cannot list pods in namespace default")
        .hasMessageContaining(
            "cannot list httproutes.gateway.networking.k8s.io in namespace default");
  }
}
