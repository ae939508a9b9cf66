package dev.weft.mesh.kubernetes;

import static dev.weft.mesh.kubernetes.Resources.endpoint;
import static dev.weft.mesh.kubernetes.Resources.service;
import static dev.weft.mesh.kubernetes.Resources.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.runtime.Randoms;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.http.MeshHttpClient;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HTTPRoutes with a Service as parent (GAMMA) as mesh routes, through the real HTTP client. */
class GatewayRoutesTest {
  private ApiServer api;
  private Backend v1;
  private Backend v2;
  private KubernetesConfigSource source;
  private Mesh mesh;
  private MeshHttpClient client;

  @BeforeEach
  void setUp() throws IOException {
    api = new ApiServer();
    v1 = new Backend("reviews-v1", "127.0.0.1", 0);
    v2 = new Backend("reviews-v2", "127.0.0.1", 0);
    var admin = api.admin();
    admin.services().resource(service("reviews", 9080)).create();
    admin.services().resource(service("reviews-v1", 9080)).create();
    admin.services().resource(service("reviews-v2", 9080)).create();
    admin
        .discovery()
        .v1()
        .endpointSlices()
        .resource(
            slice(
                "reviews-v1-a", "reviews-v1", v1.port, List.of(endpoint("r1", "127.0.0.1", false))))
        .create();
    admin
        .discovery()
        .v1()
        .endpointSlices()
        .resource(
            slice(
                "reviews-v2-a", "reviews-v2", v2.port, List.of(endpoint("r2", "127.0.0.1", false))))
        .create();
    admin.resources(HTTPRoute.class).resource(split("reviews-split", 90, 10)).create();
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
    v1.close();
    v2.close();
    api.close();
  }

  static HTTPRoute split(String name, int w1, int w2) {
    return new HTTPRouteBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("default")
        .endMetadata()
        .withNewSpec()
        .addNewParentRef()
        .withGroup("")
        .withKind("Service")
        .withName("reviews")
        .withPort(9080)
        .endParentRef()
        .addNewRule()
        .addNewBackendRef()
        .withName("reviews-v1")
        .withPort(9080)
        .withWeight(w1)
        .endBackendRef()
        .addNewBackendRef()
        .withName("reviews-v2")
        .withPort(9080)
        .withWeight(w2)
        .endBackendRef()
        .endRule()
        .endSpec()
        .build();
  }

  private void startMesh() throws InterruptedException {
    source =
        KubernetesConfigSource.builder()
            .client(api.client())
            .namespaces("default")
            .podLabels(false)
            .build();
    mesh = Mesh.builder().configSource(source).random(Randoms.seeded(19)).build();
    client = MeshHttpClient.builder(mesh).build();
    assertThat(mesh.awaitReady(Duration.ofSeconds(20))).isTrue();
  }

  private List<Integer> weightsInForce() {
    return mesh.config().service("reviews").orElseThrow().routes().get(0).destinations().stream()
        .map(Destination::weight)
        .toList();
  }

  /** Sends {@code n} calls, 20 at a time; returns the share that reached reviews-v2, in percent. */
  private double shareOfV2(int n) throws Exception {
    int before1 = v1.calls.get();
    int before2 = v2.calls.get();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://reviews/reviews/1")).build();
    for (int sent = 0; sent < n; sent += 20) {
      List<CompletableFuture<HttpResponse<String>>> batch = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        batch.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
      }
      for (var f : batch) {
        assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      }
    }
    int c1 = v1.calls.get() - before1;
    int c2 = v2.calls.get() - before2;
    assertThat(c1 + c2).isEqualTo(n);
    return 100.0 * c2 / n;
  }

  @Test
  void weightsAreFollowedAndAnEditIsAppliedAtOnce() throws Exception {
    startMesh();
    assertThat(weightsInForce()).containsExactly(90, 10);
    assertThat(shareOfV2(2000)).isCloseTo(10.0, org.assertj.core.data.Offset.offset(3.0));

    AtomicLong appliedNanos = new AtomicLong();
    mesh.addConfigListener(
        c -> {
          var w = c.service("reviews").map(s -> s.routes().get(0).destinations()).orElse(List.of());
          if (w.size() == 2 && w.get(0).weight() == 50) {
            appliedNanos.compareAndSet(0, System.nanoTime());
          }
        });
    long edited = System.nanoTime();
    api.admin().resources(HTTPRoute.class).resource(split("reviews-split", 50, 50)).update();
    await().atMost(Duration.ofSeconds(30)).until(() -> appliedNanos.get() != 0);
    long followedMillis = TimeUnit.NANOSECONDS.toMillis(appliedNanos.get() - edited);
    System.out.printf("HTTPRoute edit: API write to mesh in force %d ms%n", followedMillis);
    assertThat(weightsInForce()).containsExactly(50, 50);
    assertThat(shareOfV2(2000)).isCloseTo(50.0, org.assertj.core.data.Offset.offset(3.0));
  }

  @Test
  void aRouteWithAnInvalidRegexIsRefusedAndThePreviousVersionStays() throws Exception {
    startMesh();
    List<Route> before = mesh.config().service("reviews").orElseThrow().routes();
    HTTPRoute broken = split("reviews-split", 50, 50);
    broken
        .getSpec()
        .getRules()
        .get(0)
        .setMatches(
            List.of(
                new io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatchBuilder()
                    .withNewPath()
                    .withType("RegularExpression")
                    .withValue("/reviews/([0-9]+")
                    .endPath()
                    .build()));
    api.admin().resources(HTTPRoute.class).resource(broken).update();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> mesh.lastConfigError() instanceof InvalidConfigException);
    InvalidConfigException error = (InvalidConfigException) mesh.lastConfigError();
    assertThat(error.violations())
        .anySatisfy(
            v -> {
              assertThat(v.location()).isEqualTo("HTTPRoute/default/reviews-split");
              assertThat(v.path()).isEqualTo("spec.rules[0].matches[0].path.value");
              assertThat(v.message()).contains("invalid regular expression");
            });
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> routes = (List<Map<String, Object>>) source.status().get("routes");
    assertThat(routes)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r).containsEntry("route", "HTTPRoute/default/reviews-split");
              assertThat(r).containsEntry("state", "refused");
              assertThat(r).containsEntry("field", "spec.rules[0].matches[0].path.value");
            });
    String log = Files.readString(Path.of("target/weft-test.log"));
    assertThat(log)
        .contains("HTTPRoute/default/reviews-split")
        .contains("refused: spec.rules[0].matches[0].path.value: invalid regular expression");
    assertThat(mesh.config().service("reviews").orElseThrow().routes()).isEqualTo(before);
    assertThat(weightsInForce()).containsExactly(90, 10);
    assertThat(shareOfV2(1000)).isCloseTo(10.0, org.assertj.core.data.Offset.offset(3.5));
  }
}
