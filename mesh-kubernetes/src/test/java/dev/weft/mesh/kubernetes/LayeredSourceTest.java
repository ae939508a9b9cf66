package dev.weft.mesh.kubernetes;

import static dev.weft.mesh.kubernetes.Resources.endpoint;
import static dev.weft.mesh.kubernetes.Resources.service;
import static dev.weft.mesh.kubernetes.Resources.slice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.config.file.FileConfigSource;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.http.MeshHttpClient;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kubernetes laid over the YAML file: the precedence written on the builder's {@code base}. */
class LayeredSourceTest {
  @TempDir Path dir;
  private ApiServer api;
  private Backend ratings;
  private Backend v1;
  private KubernetesConfigSource source;
  private Mesh mesh;
  private MeshHttpClient client;

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
    ratings.close();
    v1.close();
    api.close();
  }

  @Test
  void fileSuppliesPoliciesKubernetesSuppliesEndpointsAndGatewayRoutesWin() throws Exception {
    api = new ApiServer();
    ratings = new Backend("ratings", "127.0.0.1", 0);
    v1 = new Backend("reviews-v1", "127.0.0.1", 0);
    var admin = api.admin();
    for (String s : List.of("ratings", "reviews", "reviews-v1", "reviews-v2")) {
      admin.services().resource(service(s, 9080)).create();
    }
    admin
        .discovery()
        .v1()
        .endpointSlices()
        .resource(
            slice("ratings-1", "ratings", ratings.port, List.of(endpoint("p", "127.0.0.1", false))))
        .create();
    admin
        .discovery()
        .v1()
        .endpointSlices()
        .resource(
            slice(
                "reviews-v1-1", "reviews-v1", v1.port, List.of(endpoint("q", "127.0.0.1", false))))
        .create();
    admin.resources(HTTPRoute.class).resource(GatewayRoutesTest.split("reviews", 100, 0)).create();
    Path yaml = dir.resolve("mesh.yaml");
    Files.writeString(
        yaml,
        """
        services:
          ratings:
            routes:
              - name: with-retries
                destinations: [{cluster: ratings.default}]
                retry: {maxAttempts: 3}
          reviews:
            routes:
              - name: from-the-file
                destinations: [{cluster: ratings.default}]
        clusters:
          ratings.default:
            endpoints:
              - address: 127.0.0.1:1
            loadBalancing: {policy: least_request}
          local-only:
            endpoints:
              - address: 127.0.0.1:2
        """);
    source =
        KubernetesConfigSource.builder()
            .client(api.client())
            .namespaces("default")
            .podLabels(false)
            .base(FileConfigSource.builder(yaml).build())
            .build();
    mesh = Mesh.builder().configSource(source).build();
    client = MeshHttpClient.builder(mesh).build();
    assertThat(mesh.awaitReady(Duration.ofSeconds(20))).isTrue();

    Cluster ratingsCluster = mesh.config().cluster("ratings.default").orElseThrow();
    assertThat(ratingsCluster.loadBalancing().policy()).isEqualTo("least_request");
    assertThat(ratingsCluster.endpoints())
        .extracting(Endpoint::address)
        .containsExactly("127.0.0.1:" + ratings.port);
    assertThat(mesh.config().service("ratings").orElseThrow().routes())
        .extracting(Route::name)
        .containsExactly("with-retries");
    assertThat(mesh.config().service("ratings.default").orElseThrow().routes())
        .extracting(Route::name)
        .containsExactly("default");
    assertThat(mesh.config().service("reviews").orElseThrow().routes())
        .extracting(Route::name)
        .containsExactly("HTTPRoute/default/reviews/rule-0/match-0");
    assertThat(mesh.config().cluster("local-only")).isPresent();

    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(URI.create("http://ratings/ratings/1")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.body()).isEqualTo("ratings");
    HttpResponse<String> viaRoute =
        client.send(
            HttpRequest.newBuilder(URI.create("http://reviews/reviews/1")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(viaRoute.body()).isEqualTo("reviews-v1");
  }
}
