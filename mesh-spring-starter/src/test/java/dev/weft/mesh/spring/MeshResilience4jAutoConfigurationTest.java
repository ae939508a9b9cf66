package dev.weft.mesh.spring;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.core.spi.CallGuard;
import dev.weft.mesh.core.spi.CallGuardFactory;
import dev.weft.mesh.http.MeshHttpClient;
import dev.weft.mesh.resilience4j.Resilience4jCallGuards;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class MeshResilience4jAutoConfigurationTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  MeshResilience4jAutoConfiguration.class,
                  MeshAutoConfiguration.class,
                  MeshHttpAutoConfiguration.class));

  @TempDir Path dir;
  private WireMockServer server;
  private Path configFile;

  @BeforeEach
  void start() throws Exception {
    server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    server.start();
    server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(503)));
    configFile = dir.resolve("mesh.yaml");
    Files.writeString(
        configFile,
        """
        clusters:
          reviews:
            endpoints: [{address: "127.0.0.1:%d"}]
            resilience4j: {circuitBreaker: reviews}
        """
            .formatted(server.port()));
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  private String property() {
    return "weft.mesh.config.file=" + configFile;
  }

  @Configuration(proxyBeanMethods = false)
  static class Registries {
    @Bean
    CircuitBreakerRegistry circuitBreakerRegistry() {
      CircuitBreakerRegistry r =
          CircuitBreakerRegistry.of(
              CircuitBreakerConfig.custom().slidingWindowSize(2).minimumNumberOfCalls(2).build());
      r.circuitBreaker("reviews");
      return r;
    }

    @Bean
    MeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }
  }

  @Test
  void theApplicationsRegistriesGuardTheCallsOfTheMeshAndTheirMetersAreBound() {
    runner
        .withUserConfiguration(Registries.class)
        .withPropertyValues(property())
        .run(
            context -> {
              assertThat(context).hasSingleBean(Resilience4jCallGuards.class);
              CircuitBreaker breaker =
                  context.getBean(CircuitBreakerRegistry.class).circuitBreaker("reviews");
              MeshHttpClient client = context.getBean(MeshHttpClient.class);
              HttpRequest get = HttpRequest.newBuilder(URI.create("http://reviews/r")).build();
              for (int i = 0; i < 2; i++) {
                assertThat(client.send(get, HttpResponse.BodyHandlers.discarding()).statusCode())
                    .isEqualTo(503);
              }
              assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
              assertThatThrownBy(() -> client.send(get, HttpResponse.BodyHandlers.discarding()))
                  .isInstanceOfSatisfying(
                      MeshException.class,
                      e -> assertThat(e.reason()).isEqualTo(MeshException.Reason.CIRCUIT_OPEN));
              assertThat(
                      context
                          .getBean(MeterRegistry.class)
                          .get("resilience4j.circuitbreaker.state")
                          .tag("name", "reviews")
                          .tag("state", "open")
                          .gauge()
                          .value())
                  .isEqualTo(1.0);
            });
  }

  @Test
  void metersThatResilience4jPublishesAlreadyAreNotBoundTwice() {
    runner
        .withUserConfiguration(Registries.class)
        .withBean(
            TaggedCircuitBreakerMetrics.class,
            () ->
                TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(
                    CircuitBreakerRegistry.ofDefaults()))
        .withPropertyValues(property())
        .run(
            context -> {
              assertThat(context).hasSingleBean(Resilience4jCallGuards.class);
              assertThat(
                      context
                          .getBean(MeterRegistry.class)
                          .find("resilience4j.circuitbreaker.state")
                          .meters())
                  .isEmpty();
            });
  }

  @Test
  void backsOffWithoutRegistriesWithoutTheModuleAndForTheApplicationsOwnFactory() {
    runner.run(context -> assertThat(context).doesNotHaveBean(Resilience4jCallGuards.class));
    runner
        .withUserConfiguration(Registries.class)
        .withClassLoader(new FilteredClassLoader(Resilience4jCallGuards.class))
        .run(context -> assertThat(context).doesNotHaveBean(CallGuardFactory.class));
    CallGuardFactory own = (owner, names) -> new AdmitAll();
    runner
        .withUserConfiguration(Registries.class)
        .withBean(CallGuardFactory.class, () -> own)
        .withPropertyValues(property())
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(Resilience4jCallGuards.class);
              assertThat(context.getBean(CallGuardFactory.class)).isSameAs(own);
              assertThat(context.getBean(Mesh.class).ready()).isTrue();
            });
  }

  @Test
  void anUnknownNameFailsTheStartWithTheMeshsError() throws Exception {
    Files.writeString(
        configFile,
        Files.readString(configFile).replace("circuitBreaker: reviews", "circuitBreaker: revews"));
    runner
        .withUserConfiguration(Registries.class)
        .withPropertyValues(property())
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining(
                        "cluster 'reviews' names circuit breaker 'revews', which the"
                            + " CircuitBreakerRegistry does not have (it has 'reviews')"));
  }

  /** A guard of the application's own that admits every call. */
  static final class AdmitAll implements CallGuard {
    @Override
    public MeshException tryAdmit() {
      return null;
    }

    @Override
    public void onEnd(
        Verdict verdict,
        long elapsedNanos,
        dev.weft.mesh.core.spi.AttemptOutcome outcome,
        MeshException failure) {}
  }
}
