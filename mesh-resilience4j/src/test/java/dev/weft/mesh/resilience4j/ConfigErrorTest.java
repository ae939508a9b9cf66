package dev.weft.mesh.resilience4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.Resilience4jInstances;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.config.file.MeshConfigYaml;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.core.StaticConfigSource;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Names that cannot guard calls reject the configuration whole, saying what and where. */
class ConfigErrorTest {
  private final CircuitBreakerRegistry breakers = CircuitBreakerRegistry.ofDefaults();
  private Mesh mesh;

  @AfterEach
  void close() {
    if (mesh != null) {
      mesh.close();
    }
  }

  private static MeshConfig config(String version, Resilience4jInstances route) {
    return MeshConfig.builder()
        .version(version)
        .cluster(Cluster.builder("reviews").endpoints(Endpoint.of("127.0.0.1", 9)).build())
        .service(
            Service.of(
                "reviews",
                Route.builder("main")
                    .destinations(Destination.of("reviews"))
                    .resilience4j(route)
                    .build()))
        .build();
  }

  private Resilience4jCallGuards guards() {
    return Resilience4jCallGuards.builder().circuitBreakerRegistry(breakers).build();
  }

  @Test
  void anUnknownBreakerNameRejectsTheUpdateAndKeepsTheConfigInForce() {
    breakers.circuitBreaker("reviews");
    breakers.circuitBreaker("ratings");
    StaticConfigSource source =
        new StaticConfigSource(config("1", Resilience4jInstances.circuitBreaker("reviews")));
    mesh = Mesh.builder().configSource(source).callGuards(guards()).build();
    assertThat(mesh.configVersion()).isEqualTo("1");

    assertThatThrownBy(
            () -> source.update(config("2", Resilience4jInstances.circuitBreaker("revews"))))
        .isInstanceOf(InvalidConfigException.class);

    assertThat(mesh.configVersion()).isEqualTo("1");
    assertThat(mesh.lastConfigError())
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("services[0].routes[0].resilience4j")
        .hasMessageContaining(
            "route 'main' of service 'reviews' names circuit breaker 'revews', which the"
                + " CircuitBreakerRegistry does not have (it has 'ratings', 'reviews')");
    // No breaker was created for the typo.
    assertThat(breakers.find("revews")).isEmpty();
  }

  @Test
  void anUnknownNameOnAClusterFromTheYamlFailsTheBuild() {
    String yaml =
        """
        clusters:
          reviews:
            endpoints: [{address: "127.0.0.1:9"}]
            resilience4j: {circuitBreaker: reviews, bulkhead: reviews}
        """;
    MeshConfig config = MeshConfigYaml.read(yaml.getBytes(StandardCharsets.UTF_8), "mesh.yaml");
    breakers.circuitBreaker("reviews");
    assertThatThrownBy(() -> Mesh.builder().config(config).callGuards(guards()).build())
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("clusters[0].resilience4j")
        .hasMessageContaining(
            "cluster 'reviews' names bulkhead 'reviews', but no BulkheadRegistry was given");
  }

  @Test
  void namesWithoutAGuardFactoryAreRejected() {
    assertThatThrownBy(
            () ->
                Mesh.builder()
                    .config(config("1", Resilience4jInstances.circuitBreaker("reviews")))
                    .build())
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("route 'main' of service 'reviews' names Resilience4j instances")
        .hasMessageContaining("CallGuardFactory");
  }

  @Test
  void instancesThatWouldBlockTheCallPathAreRejected() {
    BulkheadRegistry bulkheads =
        BulkheadRegistry.of(
            BulkheadConfig.custom().maxWaitDuration(Duration.ofMillis(500)).build());
    bulkheads.bulkhead("reviews");
    RateLimiterRegistry limiters = RateLimiterRegistry.ofDefaults(); // waits 5 s by default
    limiters.rateLimiter("reviews");
    Resilience4jCallGuards guards =
        Resilience4jCallGuards.builder()
            .bulkheadRegistry(bulkheads)
            .rateLimiterRegistry(limiters)
            .build();
    assertThatThrownBy(
            () ->
                Mesh.builder()
                    .config(config("1", new Resilience4jInstances("", "reviews", "")))
                    .callGuards(guards)
                    .build())
        .hasMessageContaining("names bulkhead 'reviews', which waits up to PT0.5S")
        .hasMessageContaining("maxWaitDuration to 0");
    assertThatThrownBy(
            () ->
                Mesh.builder()
                    .config(config("1", new Resilience4jInstances("", "", "reviews")))
                    .callGuards(guards)
                    .build())
        .hasMessageContaining("names rate limiter 'reviews', which waits up to PT5S")
        .hasMessageContaining("timeoutDuration to 0");
  }

  @Test
  void missingInstancesMayBeCreatedFromTheRegistrysConfiguration() {
    mesh =
        Mesh.builder()
            .config(config("1", Resilience4jInstances.circuitBreaker("reviews")))
            .callGuards(
                Resilience4jCallGuards.builder()
                    .circuitBreakerRegistry(breakers)
                    .createMissingInstances(true)
                    .build())
            .build();
    assertThat(breakers.find("reviews")).isPresent();
  }

  @Test
  void blankNamesAreRejectedByTheModelAndTheYaml() {
    assertThatThrownBy(() -> new Resilience4jInstances("a b", "", ""))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("circuitBreaker");
    String yaml =
        """
        clusters:
          reviews:
            resilience4j: {circuitBreakr: reviews}
        """;
    assertThatThrownBy(
            () -> MeshConfigYaml.read(yaml.getBytes(StandardCharsets.UTF_8), "mesh.yaml"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("mesh.yaml:3")
        .hasMessageContaining("did you mean 'circuitBreaker'?");
  }
}
