package dev.weft.mesh.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.mesh.console.CanaryStatus;
import dev.weft.mesh.console.CanaryStatusProvider;
import dev.weft.mesh.console.MeshConsole;
import dev.weft.mesh.console.RecentDenials;
import dev.weft.mesh.security.AuthorizationEnforcer;
import dev.weft.mesh.security.AuthorizationRequest;
import dev.weft.mesh.security.RequestHeaders;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The console under the actuator of a real application on a real port, once exposed. */
@SpringBootTest(
    classes = MeshConsoleApplicationTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "management.endpoints.web.exposure.include=meshconsole,health",
      "weft.mesh.server.service=reviews",
      "weft.mesh.server.authorization=true"
    })
class MeshConsoleApplicationTest {
  private static final TestBackends BACKENDS = start();

  private static TestBackends start() {
    try {
      return new TestBackends(Files.createTempDirectory("weft-console"));
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

  @Autowired MeshConsole console;
  @Autowired RecentDenials denials;
  @Autowired AuthorizationEnforcer enforcer;

  private HttpResponse<String> get(String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void thePageAndItsStateAreServedUnderTheActuator() throws Exception {
    HttpResponse<String> page = get("/actuator/meshconsole");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-type").orElseThrow()).startsWith("text/html");
    assertThat(page.body()).contains("<title>Weft mesh console</title>");

    HttpResponse<String> state = get("/actuator/meshconsole/state");
    assertThat(state.statusCode()).isEqualTo(200);
    assertThat(state.headers().firstValue("content-type").orElseThrow())
        .startsWith("application/json");
    JsonNode json = new ObjectMapper().readTree(state.body());
    assertThat(json.path("mesh").path("version").asText()).isEqualTo("test-1");
    JsonNode destinations = json.path("services").get(0).path("routes").get(0).path("destinations");
    assertThat(destinations.get(0).path("target").asText()).isEqualTo("reviews/v1");
    assertThat(destinations.get(0).path("percent").asDouble()).isEqualTo(80.0);
    assertThat(json.path("canaries").path("items").get(0).path("state").asText())
        .isEqualTo("observing");

    assertThat(get("/actuator/meshconsole/nothing").statusCode()).isEqualTo(404);
  }

  @Test
  void theStartersEnforcerAuditsDenialsToTheConsole() throws Exception {
    // The enforcer also guards this application's own HTTP server: deny for one decision only.
    dev.weft.mesh.security.Authorizer before = enforcer.authorizer();
    try {
      enforcer.update(
          dev.weft.mesh.security.Authorizer.of(
              List.of(dev.weft.mesh.api.security.AuthorizationPolicy.denyAll("closed"))));
      enforcer.enforce(
          new AuthorizationRequest(
              Optional.empty(), "/reviews/secret-path", "GET", RequestHeaders.of(Map.of())));
    } finally {
      enforcer.update(before);
    }

    assertThat(denials.deniedCount()).isEqualTo(1);
    assertThat(get("/actuator/meshconsole/state").body()).contains("/reviews/secret-path");
  }

  @SpringBootApplication
  static class App {
    @Bean
    CanaryStatusProvider canaries() {
      return () ->
          List.of(
              new CanaryStatus(
                  "reviews",
                  "split",
                  "reviews/v1",
                  "reviews/v2",
                  "observing",
                  20,
                  20,
                  "",
                  List.of()));
    }
  }
}
