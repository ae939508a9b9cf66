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

class RingHashTest {
  private final RingHashProvider provider = new RingHashProvider();

  private EndpointPicker picker(
      List<TestEndpoint> endpoints, long seed, Map<String, Object> options) {
    return provider
        .newLoadBalancer(provider.parseOptions(options), Picks.context(seed))
        .update(endpoints);
  }

  private EndpointPicker picker(List<TestEndpoint> endpoints) {
    return picker(endpoints, 31, Map.of());
  }

  @Test
  void sameKeySameEndpointAcrossPickersOfTheSameEndpoints() {
    List<TestEndpoint> endpoints = TestEndpoint.count(10);
    LbEndpoint[] first = ConsistentHashing.assign(picker(endpoints, 1, Map.of()), 10_000);
    LbEndpoint[] second =
        ConsistentHashing.assign(picker(new ArrayList<>(endpoints), 2, Map.of()), 10_000);
    assertThat(second).containsExactly(first);
    assertThat(new java.util.HashSet<>(List.of(first))).hasSize(10);
  }

  @Test
  void removingOneOfTenMovesOnlyItsKeys() {
    List<TestEndpoint> endpoints = TestEndpoint.count(10);
    LbEndpoint[] before = ConsistentHashing.assign(picker(endpoints), 10_000);
    TestEndpoint removed = endpoints.get(4);
    List<TestEndpoint> remaining = new ArrayList<>(endpoints);
    remaining.remove(removed);
    LbEndpoint[] after = ConsistentHashing.assign(picker(remaining), 10_000);

    assertThat(ConsistentHashing.moved(before, after)).isLessThanOrEqualTo(1_000 + 300);
    assertThat(ConsistentHashing.movedNeedlessly(before, after, removed)).isZero();
  }

  @Test
  void addingAnEleventhMovesAboutAnEleventh() {
    List<TestEndpoint> endpoints = TestEndpoint.count(11);
    LbEndpoint[] before = ConsistentHashing.assign(picker(endpoints.subList(0, 10)), 10_000);
    LbEndpoint[] after = ConsistentHashing.assign(picker(endpoints), 10_000);
    int moved = ConsistentHashing.moved(before, after);
    assertThat(moved).isLessThanOrEqualTo(10_000 / 11 + 300);
    for (int k = 0; k < before.length; k++) {
      if (before[k] != after[k]) {
        assertThat(after[k]).isSameAs(endpoints.get(10));
      }
    }
  }

  @Test
  void weightsScaleTheShareOfTheRing() {
    List<TestEndpoint> endpoints = TestEndpoint.weighted(1, 2, 3, 4);
    double[] shares =
        ConsistentHashing.shares(
            list -> picker(list, 31, Map.of("minRingSize", 16_384)), endpoints, 100_000);
    for (int i = 0; i < shares.length; i++) {
      assertThat(shares[i]).as("share of weight %d", i + 1).isCloseTo((i + 1) / 10.0, within(0.03));
    }
  }

  @Test
  void eachUnitOfWeightGetsAPowerOfTwoOfEntries() {
    LbEndpoint[] ten = TestEndpoint.count(10).toArray(new LbEndpoint[0]);
    assertThat(RingHashPicker.entryCounts(ten, 1024, 8 << 20)).containsOnly(128);
    LbEndpoint[] nine = TestEndpoint.count(9).toArray(new LbEndpoint[0]);
    assertThat(RingHashPicker.entryCounts(nine, 1024, 8 << 20)).containsOnly(128);
    LbEndpoint[] weighted = TestEndpoint.weighted(1, 3).toArray(new LbEndpoint[0]);
    assertThat(RingHashPicker.entryCounts(weighted, 1024, 8 << 20)).containsExactly(256, 768);
    // Over the cap: scaled down to fit, everyone keeping at least one entry.
    LbEndpoint[] heavy = TestEndpoint.weighted(1, 1_000, 3_000).toArray(new LbEndpoint[0]);
    long[] capped = RingHashPicker.entryCounts(heavy, 1024, 100);
    assertThat(capped[0]).isEqualTo(1);
    assertThat(java.util.Arrays.stream(capped).sum()).isLessThanOrEqualTo(101);
    assertThat(capped[2]).isGreaterThan(2 * capped[1]);
  }

  @Test
  void callsWithoutAHashSpreadAtRandom() {
    List<TestEndpoint> endpoints = TestEndpoint.count(4);
    Map<LbEndpoint, Integer> counts = Picks.count(picker(endpoints), Picks.PLAIN, 40_000);
    for (TestEndpoint e : endpoints) {
      assertThat(Picks.countOf(counts, e) / 40_000.0).isCloseTo(0.25, within(0.08));
    }
  }

  @Test
  void retryWalksTheRingToAnotherEndpointDeterministically() {
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
  void validatesRingSizes() {
    assertThat(provider.parseOptions(Map.of()))
        .isEqualTo(new RingHashProvider.Config(1024, 8_388_608));
    assertThatThrownBy(() -> provider.parseOptions(Map.of("maxRingSize", 9_000_000)))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("options.maxRingSize");
    assertThatThrownBy(
            () -> provider.parseOptions(Map.of("minRingSize", 4096, "maxRingSize", 1024)))
        .isInstanceOfSatisfying(
            InvalidConfigException.class,
            e ->
                assertThat(e.violations())
                    .singleElement()
                    .satisfies(v -> assertThat(v.path()).isEqualTo("options.minRingSize")));
    assertThatThrownBy(() -> provider.parseOptions(Map.of("minRingSize", 0, "ringSize", 5)))
        .isInstanceOfSatisfying(
            InvalidConfigException.class,
            e ->
                assertThat(e.violations())
                    .extracting(v -> v.path())
                    .containsExactlyInAnyOrder("options.minRingSize", "options.ringSize"));
  }
}
