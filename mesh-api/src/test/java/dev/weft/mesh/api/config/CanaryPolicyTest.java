package dev.weft.mesh.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CanaryPolicyTest {

  @Test
  void aGuardNamesTwoOfTheRoutesDestinations() {
    Route r =
        Route.builder("rollout")
            .destinations(Destination.of("reviews", "v2", 90), Destination.of("reviews", "v3", 10))
            .canary(CanaryPolicy.of("reviews/v2", "reviews/v3"))
            .build();
    assertThat(r.canary().enabled()).isTrue();
    assertThat(r.toBuilder().build()).isEqualTo(r);
    assertThat(Route.builder("plain").destinations(Destination.of("a")).build().canary())
        .isEqualTo(CanaryPolicy.NONE);
    assertThat(CanaryPolicy.NONE.enabled()).isFalse();
  }

  @Test
  void aGuardOverDestinationsTheRouteLacksIsRejectedSayingWhich() {
    InvalidConfigException e =
        catchThrowableOfType(
            InvalidConfigException.class,
            () ->
                Route.builder("rollout")
                    .destinations(Destination.of("reviews", "v2", 90), Destination.of("other"))
                    .canary(CanaryPolicy.of("reviews/v2", "reviews/v3"))
                    .build());
    assertThat(e.violations()).extracting(ConfigViolation::path).containsExactly("canary.canary");
    assertThat(e.getMessage()).contains("'reviews/v3', which is not a destination of the route");
  }

  @Test
  void everyBadSettingIsReportedAtOnce() {
    InvalidConfigException e =
        catchThrowableOfType(
            InvalidConfigException.class,
            () ->
                CanaryPolicy.builder("a", "a")
                    .interval(Duration.ZERO)
                    .minCalls(0)
                    .maxErrorRateIncrease(2)
                    .maxLatencyRatio(0.5)
                    .latencyPercentile(100)
                    .alpha(0.5)
                    .promotion(List.of(25.0, 50.0), Duration.ofMinutes(1), null)
                    .build());
    assertThat(e.getMessage())
        .contains("canary")
        .contains("interval")
        .contains("minCalls")
        .contains("maxErrorRateIncrease")
        .contains("maxLatencyRatio")
        .contains("latencyPercentile")
        .contains("alpha");
    InvalidConfigException steps =
        catchThrowableOfType(
            InvalidConfigException.class,
            () ->
                new CanaryPolicy.Promotion(
                    List.of(50.0, 25.0, 120.0), Duration.ofMinutes(1), null));
    assertThat(steps.getMessage()).contains("steps[1]").contains("steps[2]");
  }
}
