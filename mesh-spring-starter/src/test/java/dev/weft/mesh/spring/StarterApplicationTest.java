package dev.weft.mesh.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The starter in a real application on a real port: the actuator endpoint and health. */
@SpringBootTest(
    classes = StarterApplicationTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "management.endpoints.web.exposure.include=mesh,health",
      "management.endpoint.health.show-components=always",
      "management.endpoint.health.show-details=always"
    })
class StarterApplicationTest {
  private static final TestBackends BACKENDS = start();

  private static TestBackends start() {
    try {
      return new TestBackends(Files.createTempDirectory("weft-starter"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @DynamicPropertySource
  static void meshConfig(DynamicPropertyRegistry registry) {
    registry.add("weft.mesh.config.file", BACKENDS.configFile::toString);
  }

  @AfterAll
  static void stopBackends() {
    BACKENDS.close();
  }

  @Value("${local.server.port}")
  int port;

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new ObjectMapper().readTree(r.body());
  }

  @Test
  void theMeshEndpointShowsTheVersionAndTheEndpoints() throws Exception {
    JsonNode mesh = get("/actuator/mesh");
    assertThat(mesh.path("version").asText()).isEqualTo("test-1");
    List<String> addresses = new ArrayList<>();
    mesh.path("clusters")
        .get(0)
        .path("endpoints")
        .forEach(e -> addresses.add(e.path("address").asText()));
    assertThat(addresses)
        .containsExactlyInAnyOrder(
            "127.0.0.1:" + BACKENDS.v1.port(), "127.0.0.1:" + BACKENDS.v2.port());
    assertThat(mesh.path("clusters").get(0).path("endpoints").get(0).has("ejected")).isTrue();
    assertThat(mesh.path("services").get(0).path("routes").get(0).path("destinations")).hasSize(2);
  }

  @Test
  void theHealthIndicatorIsUpWithTheVersion() throws Exception {
    JsonNode health = get("/actuator/health");
    assertThat(health.path("components").path("mesh").path("status").asText()).isEqualTo("UP");
    assertThat(health.path("components").path("mesh").path("details").path("version").asText())
        .isEqualTo("test-1");
  }

  @Test
  void theGeneratedMetadataDescribesEveryProperty() throws Exception {
    JsonNode metadata;
    try (InputStream in =
        getClass()
            .getClassLoader()
            .getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("generated configuration metadata").isNotNull();
      metadata = new ObjectMapper().readTree(in);
    }
    List<String> names = new ArrayList<>();
    metadata
        .path("properties")
        .forEach(
            p -> {
              String name = p.path("name").asText();
              if (name.startsWith("weft.mesh")) {
                names.add(name);
                assertThat(p.path("description").asText())
                    .as("description of " + name)
                    .isNotBlank();
              }
            });
    assertThat(names)
        .contains(
            "weft.mesh.enabled",
            "weft.mesh.name",
            "weft.mesh.config.file",
            "weft.mesh.config.poll-interval",
            "weft.mesh.http.connect-timeout",
            "weft.mesh.http.default-timeout",
            "weft.mesh.http.rest-client",
            "weft.mesh.clients.base-packages",
            "weft.mesh.security.certificate-chain",
            "weft.mesh.security.private-key",
            "weft.mesh.security.ca-certificates",
            "weft.mesh.security.trust-domains",
            "weft.mesh.security.refresh-interval",
            "weft.mesh.security.ssl-bundle",
            "weft.mesh.server.service",
            "weft.mesh.server.authorization");
  }

  @SpringBootApplication
  static class App {}
}
