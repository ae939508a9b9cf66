package dev.weft.mesh.config.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.weft.mesh.api.config.CanaryPolicy;
import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.config.MeshConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CanaryYamlTest {
  private static final String CLUSTERS =
      """
      clusters:
        reviews:
          endpoints: [{address: 127.0.0.1:9080, labels: {version: v2}}, {address: 127.0.0.1:9081, labels: {version: v3}}]
          subsets: {v2: {version: v2}, v3: {version: v3}}
      """;

  private static MeshConfig read(String yaml) {
    return MeshConfigYaml.read(yaml.getBytes(StandardCharsets.UTF_8), "mesh.yaml");
  }

  @Test
  void aRouteCarriesItsCanaryGuardWithPromotion() {
    MeshConfig c =
        read(
            """
            services:
              reviews:
                routes:
                  - name: rollout
                    destinations:
                      - {cluster: reviews, subset: v2, weight: 100}
                      - {cluster: reviews, subset: v3, weight: 0}
                    canary:
                      baseline: reviews/v2
                      canary: reviews/v3
                      interval: 500ms
                      minCalls: 50
                      maxErrorRateIncrease: 0.02
                      maxLatencyRatio: 2
                      latencyPercentile: 95
                      promotion:
                        steps: [5, 25, 50, 100]
                        interval: 2m
                        startTime: 2026-12-03T14:00:00Z
            """
                + CLUSTERS);
    CanaryPolicy p = c.services().get(0).routes().get(0).canary();
    assertThat(p.baseline()).isEqualTo("reviews/v2");
    assertThat(p.canary()).isEqualTo("reviews/v3");
    assertThat(p.interval()).isEqualTo(Duration.ofMillis(500));
    assertThat(p.window()).isEqualTo(CanaryPolicy.DEFAULT_WINDOW);
    assertThat(p.minCalls()).isEqualTo(50);
    assertThat(p.maxErrorRateIncrease()).isEqualTo(0.02);
    assertThat(p.maxLatencyRatio()).isEqualTo(2);
    assertThat(p.latencyPercentile()).isEqualTo(95);
    assertThat(p.alpha()).isEqualTo(CanaryPolicy.DEFAULT_ALPHA);
    assertThat(p.promotion().steps()).containsExactly(5.0, 25.0, 50.0, 100.0);
    assertThat(p.promotion().interval()).isEqualTo(Duration.ofMinutes(2));
    assertThat(p.promotion().startTime()).isEqualTo(Instant.parse("2026-12-03T14:00:00Z"));

    // Written and read back, the guard is the same.
    assertThat(read(MeshConfigYaml.write(c))).isEqualTo(c);
  }

  @Test
  void aRouteWithoutAGuardWritesNoCanaryKey() {
    MeshConfig c =
        read(
            """
            services:
              reviews:
                routes: [{destinations: [{cluster: reviews}]}]
            """
                + CLUSTERS);
    assertThat(c.services().get(0).routes().get(0).canary()).isEqualTo(CanaryPolicy.NONE);
    assertThat(MeshConfigYaml.write(c)).doesNotContain("canary");
  }

  @Test
  void aCanaryThatIsNotADestinationIsRejectedWithWhereAndWhy() {
    InvalidConfigException e =
        catchThrowableOfType(
            InvalidConfigException.class,
            () ->
                read(
                    """
                    services:
                      reviews:
                        routes:
                          - destinations: [{cluster: reviews, subset: v2}, {cluster: reviews, subset: v3}]
                            canary: {baseline: reviews/v2, canary: reviews/v4}
                    """
                        + CLUSTERS));
    assertThat(e.getMessage())
        .contains("mesh.yaml")
        .contains("canary")
        .contains("'reviews/v4', which is not a destination of the route [reviews/v2, reviews/v3]");
  }

  @Test
  void badThresholdsAndStepsAreAllReported() {
    InvalidConfigException e =
        catchThrowableOfType(
            InvalidConfigException.class,
            () ->
                read(
                    """
                    services:
                      reviews:
                        routes:
                          - destinations: [{cluster: reviews, subset: v2}, {cluster: reviews, subset: v3}]
                            canary:
                              baseline: reviews/v2
                              canary: reviews/v3
                              maxErrorRateIncrease: 0
                              alpha: 0.5
                              promotion: {steps: [5, 50, 25, x], interval: 1m, startTime: tomorrow}
                    """
                        + CLUSTERS));
    assertThat(e.getMessage())
        .contains("maxErrorRateIncrease")
        .contains("must be above 0 and at most 1")
        .contains("alpha")
        .contains("must be a number")
        .contains("must be a time with an offset like 2026-12-03T14:00:00Z, was 'tomorrow'");
    assertThat(List.of(e.getMessage().split("\n"))).hasSizeGreaterThan(3);
  }
}
