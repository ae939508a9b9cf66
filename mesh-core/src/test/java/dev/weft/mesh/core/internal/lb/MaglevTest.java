package dev.weft.mesh.core.internal.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.spi.EndpointPicker;
import dev.weft.mesh.api.spi.LbEndpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MaglevTest {
  private final MaglevProvider provider = new MaglevProvider();

  private EndpointPicker picker(List<TestEndpoint> endpoints, long seed) {
    return provider
        .newLoadBalancer(provider.parseOptions(Map.of()), Picks.context(seed))
        .update(endpoints);
  }

  private EndpointPicker picker(List<TestEndpoint> endpoints) {
    return picker(endpoints, 41);
  }

  @Test
  void sameKeySameEndpointAcrossPickersOfTheSameEndpoints() {
    List<TestEndpoint> endpoints = TestEndpoint.count(10);
    LbEndpoint[] first = ConsistentHashing.assign(picker(endpoints, 1), 10_000);
    LbEndpoint[] second = ConsistentHashing.assign(picker(new ArrayList<>(endpoints), 2), 10_000);
    assertThat(second).containsExactly(first);
    assertThat(new java.util.HashSet<>(List.of(first))).hasSize(10);
  }

  @Test
  void removingOneOfTenMovesAboutATenth() {
    List<TestEndpoint> endpoints = TestEndpoint.count(10);
    LbEndpoint[] before = ConsistentHashing.assign(picker(endpoints), 10_000);
    List<TestEndpoint> remaining = new ArrayList<>(endpoints);
    remaining.remove(4);
    LbEndpoint[] after = ConsistentHashing.assign(picker(remaining), 10_000);
    assertThat(ConsistentHashing.moved(before, after)).isLessThanOrEqualTo(1_000 + 300);
  }

  @Test
  void addingAnEleventhMovesAboutAnEleventh() {
    List<TestEndpoint> endpoints = TestEndpoint.count(11);
    LbEndpoint[] before = ConsistentHashing.assign(picker(endpoints.subList(0, 10)), 10_000);
    LbEndpoint[] after = ConsistentHashing.assign(picker(endpoints), 10_000);
    assertThat(ConsistentHashing.moved(before, after)).isLessThanOrEqualTo(10_000 / 11 + 300);
  }

  @Test
  void weightsScaleTheShareOfTheTable() {
    List<TestEndpoint> endpoints = TestEndpoint.weighted(1, 2, 3, 4);
    double[] shares = ConsistentHashing.shares(this::picker, endpoints, 100_000);
    for (int i = 0; i < shares.length; i++) {
      assertThat(shares[i]).as("share of weight %d", i + 1).isCloseTo((i + 1) / 10.0, within(0.01));
    }
  }

  @Test
  void equalWeightsShareTheTableEvenly() {
    List<TestEndpoint> endpoints = TestEndpoint.count(7);
    double[] shares = ConsistentHashing.shares(this::picker, endpoints, 70_000);
    for (double share : shares) {
      assertThat(share).isCloseTo(1 / 7.0, within(0.01));
    }
  }

  @Test
  void retryGoesToAnotherEndpointDeterministically() {
    List<TestEndpoint> endpoints = TestEndpoint.count(3);
    EndpointPicker picker = picker(endpoints);
    for (int k = 0; k < 200; k++) {
      long hash = Picks.keyHash("key-" + k);
      LbEndpoint first = picker.pick(Picks.hashed(hash));
      LbEndpoint retry = picker.pick(Picks.avoiding(Set.of(first), true, hash));
      assertThat(retry).isNotSameAs(first);
      assertThat(picker.pick(Picks.avoiding(Set.of(first), true, hash))).isSameAs(retry);
      assertThat(picker.pick(Picks.avoiding(Set.copyOf(endpoints), true, hash))).isSameAs(first);
    }
  }

  @Test
  void callsWithoutAHashSpreadAtRandom() {
    List<TestEndpoint> endpoints = TestEndpoint.count(4);
    Map<LbEndpoint, Integer> counts = Picks.count(picker(endpoints), Picks.PLAIN, 40_000);
    for (TestEndpoint e : endpoints) {
      assertThat(Picks.countOf(counts, e) / 40_000.0).isCloseTo(0.25, within(0.02));
    }
  }

  @Test
  void validatesTableSize() {
    assertThat(provider.parseOptions(Map.of())).isEqualTo(new MaglevProvider.Config(65537));
    assertThat(provider.parseOptions(Map.of("tableSize", 251)))
        .isEqualTo(new MaglevProvider.Config(251));
    assertThatThrownBy(() -> provider.parseOptions(Map.of("tableSize", 65536)))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("options.tableSize")
        .hasMessageContaining("prime");
    assertThatThrownBy(() -> provider.parseOptions(Map.of("tableSize", 5_000_101)))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("options.tableSize");
  }
}
