package dev.weft.mesh.spring;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * One application with a RestTemplate and a WebClient, both built from the builders Spring Boot
 * hands out: requests for the mesh service follow its 80/20 split, a URL of another host goes
 * straight out.
 */
@SpringBootTest(
    classes = HttpClientsApplicationTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.NONE)
class HttpClientsApplicationTest {
  private static final TestBackends BACKENDS = start();
  private static final WireMockServer OUTSIDE =
      new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());

  private static TestBackends start() {
    try {
      return new TestBackends(Files.createTempDirectory("weft-clients"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @DynamicPropertySource
  static void meshConfig(DynamicPropertyRegistry registry) {
    OUTSIDE.start();
    OUTSIDE.stubFor(any(anyUrl()).willReturn(aResponse().withBody("outside")));
    registry.add("weft.mesh.config.file", BACKENDS.configFile::toString);
  }

  @AfterAll
  static void stopBackends() {
    BACKENDS.close();
    OUTSIDE.stop();
  }

  @Autowired RestTemplate restTemplate;
  @Autowired WebClient webClient;

  @Test
  void theRestTemplateFollowsTheSplit() {
    int n = 1000;
    int v1 = 0;
    for (int i = 0; i < n; i++) {
      String body = restTemplate.getForObject("http://reviews/reviews/1", String.class);
      assertThat(body).isIn("v1", "v2");
      v1 += body.equals("v1") ? 1 : 0;
    }
    assertThat(100.0 * v1 / n).isBetween(75.0, 85.0);
    assertThat(restTemplate.getForObject(outside("/rt"), String.class)).isEqualTo("outside");
    assertThat(OUTSIDE.findAll(getRequestedFor(urlEqualTo("/rt")))).hasSize(1);
  }

  @Test
  void theWebClientFollowsTheSplit() {
    int n = 1000;
    int v1 = 0;
    for (int i = 0; i < n; i++) {
      String body =
          webClient
              .get()
              .uri("http://reviews/reviews/2")
              .retrieve()
              .bodyToMono(String.class)
              .block(Duration.ofSeconds(10));
      assertThat(body).isIn("v1", "v2");
      v1 += "v1".equals(body) ? 1 : 0;
    }
    assertThat(100.0 * v1 / n).isBetween(75.0, 85.0);
    String direct = webClient.get().uri(outside("/wc")).retrieve().bodyToMono(String.class).block();
    assertThat(direct).isEqualTo("outside");
    assertThat(OUTSIDE.findAll(getRequestedFor(urlEqualTo("/wc")))).hasSize(1);
  }

  private static String outside(String path) {
    return "http://127.0.0.1:" + OUTSIDE.port() + path;
  }

  /** Without component scanning: this package holds the starter's own configuration classes. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    RestTemplate restTemplate(RestTemplateBuilder builder) {
      return builder.build();
    }

    @Bean
    WebClient webClient(WebClient.Builder builder) {
      return builder.build();
    }
  }
}
