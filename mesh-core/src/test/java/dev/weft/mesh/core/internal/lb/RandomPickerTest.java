package dev.weft.mesh.core.internal.lb;

import static dev.weft.mesh.core.internal.lb.Picks.PLAIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.weft.mesh.api.spi.EndpointPicker;
import dev.weft.mesh.api.spi.LbEndpoint;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RandomPickerTest {
  private final RandomProvider provider = new RandomProvider();

  private EndpointPicker picker(List<TestEndpoint> endpoints, long seed) {
    return provider
        .newLoadBalancer(provider.parseOptions(Map.of()), Picks.context(seed))
        .update(endpoints);
  }

  @Test
  void picksInProportionToWeight() {
    List<TestEndpoint> endpoints = TestEndpoint.weighted(1, 2, 3, 4);
    int picks = 100_000;
    Map<LbEndpoint, Integer> counts = Picks.count(picker(endpoints, 11), PLAIN, picks);
    for (TestEndpoint e : endpoints) {
      // The standard deviation of each share is under 0.0016; 0.01 is more than six of them.
      assertThat(Picks.countOf(counts, e) / (double) picks)
          .as("%s", e)
          .isCloseTo(e.weight() / 10.0, within(0.01));
    }
  }

  @Test
  void equalWeightsAreUniform() {
    List<TestEndpoint> endpoints = TestEndpoint.count(5);
    int picks = 100_000;
    Map<LbEndpoint, Integer> counts = Picks.count(picker(endpoints, 12), PLAIN, picks);
    for (TestEndpoint e : endpoints) {
      assertThat(Picks.countOf(counts, e) / (double) picks).isCloseTo(0.2, within(0.01));
    }
  }

  @Test
  void avoidsEndpointsOfEarlierAttempts() {
    List<TestEndpoint> endpoints = TestEndpoint.weighted(1, 10, 1);
    EndpointPicker picker = picker(endpoints, 13);
    Map<LbEndpoint, Integer> counts =
        Picks.count(picker, Picks.avoiding(Set.of(endpoints.get(1))), 10_000);
    assertThat(Picks.countOf(counts, endpoints.get(1))).isZero();
    assertThat(Picks.countOf(counts, endpoints.get(0))).isPositive();
    assertThat(Picks.countOf(counts, endpoints.get(2))).isPositive();
    assertThat(picker.pick(Picks.avoiding(Set.copyOf(endpoints)))).isIn(endpoints);
  }
}
