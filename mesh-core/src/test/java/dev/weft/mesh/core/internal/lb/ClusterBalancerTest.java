package dev.weft.mesh.core.internal.lb;

import static dev.weft.mesh.core.internal.lb.Picks.PLAIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.config.Locality;
import dev.weft.mesh.api.spi.LbEndpoint;
import dev.weft.mesh.api.spi.LoadBalancerProvider;
import dev.weft.mesh.core.LoadBalancerRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClusterBalancerTest {
  private static final Locality ZONE_A = new Locality("r", "a", "");
  private static final Locality ZONE_B = new Locality("r", "b", "");
  private static final int PICKS = 100_000;

  private static ClusterBalancer balancer(LoadBalancing lb, long seed) {
    LoadBalancerProvider provider = LoadBalancerRegistry.getDefault().provider(lb.policy());
    return new ClusterBalancer(
        lb, provider, provider.parseOptions(lb.options()), Picks.context(seed));
  }

  private static ClusterBalancer update(ClusterBalancer balancer, List<TestEndpoint> endpoints) {
    balancer.update(endpoints, e -> ((TestEndpoint) e).healthy);
    return balancer;
  }

  /** {@code n} endpoints at a priority, in one locality. */
  private static List<TestEndpoint> level(int priority, int n, Locality locality, String prefix) {
    List<TestEndpoint> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(TestEndpoint.at(prefix + "." + (i + 1), priority, locality, 1));
    }
    return list;
  }

  private static List<TestEndpoint> concat(List<TestEndpoint> a, List<TestEndpoint> b) {
    List<TestEndpoint> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static double share(Map<LbEndpoint, Integer> counts, List<TestEndpoint> group) {
    return Picks.sumOf(counts, group) / (double) PICKS;
  }

  @Test
  void allTrafficGoesToPriorityOneWhenPriorityZeroIsDown() {
    List<TestEndpoint> p0 = level(0, 3, ZONE_A, "10.0.0");
    List<TestEndpoint> p1 = level(1, 3, ZONE_A, "10.0.1");
    p0.forEach(TestEndpoint::unhealthy);
    ClusterBalancer balancer = update(balancer(LoadBalancing.DEFAULT, 1), concat(p0, p1));
    Map<LbEndpoint, Integer> counts = Picks.count(balancer::pick, PLAIN, PICKS);
    assertThat(Picks.sumOf(counts, p1)).isEqualTo(PICKS);
    assertThat(balancer.describe().priorities())
        .extracting(ClusterBalancer.PriorityLevel::loadPercent)
        .containsExactly(0, 100);
  }

  @Test
  void overprovisioningKeepsAllTrafficOnALevelThatIsThreeQuartersHealthy() {
    List<TestEndpoint> p0 = level(0, 4, ZONE_A, "10.0.0");
    List<TestEndpoint> p1 = level(1, 3, ZONE_A, "10.0.1");
    p0.get(2).unhealthy();
    ClusterBalancer balancer = update(balancer(LoadBalancing.DEFAULT, 2), concat(p0, p1));
    Map<LbEndpoint, Integer> counts = Picks.count(balancer::pick, PLAIN, PICKS);
    assertThat(Picks.sumOf(counts, p1)).isZero();
    assertThat(Picks.countOf(counts, p0.get(2))).isZero();
  }

  @Test
  void twoOfThreeHealthyIsUnderOneHundredPercentAndSpillsALittle() {
    // 2/3 * 140% = 93%: Envoy sends 93% to P0 and 7% to P1.
    List<TestEndpoint> p0 = level(0, 3, ZONE_A, "10.0.0");
    List<TestEndpoint> p1 = level(1, 3, ZONE_A, "10.0.1");
    p0.get(0).unhealthy();
    ClusterBalancer balancer = update(balancer(LoadBalancing.DEFAULT, 3), concat(p0, p1));
    Map<LbEndpoint, Integer> counts = Picks.count(balancer::pick, PLAIN, PICKS);
    assertThat(share(counts, p1)).isCloseTo(0.07, within(0.01));
  }

  @Test
  void halfHealthySpillsThirtyPercent() {
    List<TestEndpoint> p0 = level(0, 2, ZONE_A, "10.0.0");
    List<TestEndpoint> p1 = level(1, 2, ZONE_A, "10.0.1");
    p0.get(1).unhealthy();
    ClusterBalancer balancer = update(balancer(LoadBalancing.DEFAULT, 4), concat(p0, p1));
    Map<LbEndpoint, Integer> counts = Picks.count(balancer::pick, PLAIN, PICKS);
    assertThat(share(counts, p0)).isCloseTo(0.70, within(0.01));
    assertThat(share(counts, p1)).isCloseTo(0.30, within(0.01));
    assertThat(Picks.countOf(counts, p0.get(1))).isZero();
  }

  @Test
  void panicSendsToAllEndpointsOfTheLevel() {
    List<TestEndpoint> p0 = level(0, 4, ZONE_A, "10.0.0");
    p0.get(1).unhealthy();
    p0.get(2).unhealthy();
    p0.get(3).unhealthy();
    ClusterBalancer balancer = update(balancer(LoadBalancing.DEFAULT, 5), p0);
    Map<LbEndpoint, Integer> counts = Picks.count(balancer::pick, PLAIN, PICKS);
    for (TestEndpoint e : p0) {
      assertThat(Picks.countOf(counts, e)).isEqualTo(PICKS / 4);
    }
    assertThat(balancer.describe().priorities().get(0).panic()).isTrue();

    ClusterBalancer noPanic =
        update(balancer(LoadBalancing.DEFAULT.withPanicThresholdPercent(0), 5), p0);
    counts = Picks.count(noPanic::pick, PLAIN, 1_000);
    assertThat(Picks.countOf(counts, p0.get(0))).isEqualTo(1_000);

    // Just above the threshold: 2 of 4 is 50%, not below 50%.
    p0.get(1).healthy = true;
    update(balancer, p0);
    counts = Picks.count(balancer::pick, PLAIN, 1_000);
    assertThat(Picks.countOf(counts, p0.get(0)) + Picks.countOf(counts, p0.get(1)))
        .isEqualTo(1_000);
  }

  @Test
  void nothingHealthyPanicsOrReturnsNull() {
    List<TestEndpoint> p0 = level(0, 2, ZONE_A, "10.0.0");
    List<TestEndpoint> p1 = level(1, 2, ZONE_A, "10.0.1");
    concat(p0, p1).forEach(TestEndpoint::unhealthy);
    ClusterBalancer balancer = update(balancer(LoadBalancing.DEFAULT, 6), concat(p0, p1));
    Map<LbEndpoint, Integer> counts = Picks.count(balancer::pick, PLAIN, PICKS);
    assertThat(share(counts, p0)).isCloseTo(0.5, within(0.01));
    assertThat(share(counts, p1)).isCloseTo(0.5, within(0.01));

    ClusterBalancer noPanic =
        update(balancer(LoadBalancing.DEFAULT.withPanicThresholdPercent(0), 6), concat(p0, p1));
    assertThat(noPanic.pick(PLAIN)).isNull();
  }

  @Test
  void noEndpointsMeansNull() {
    ClusterBalancer balancer = balancer(LoadBalancing.DEFAULT, 7);
    assertThat(balancer.pick(PLAIN)).isNull();
    update(balancer, level(0, 2, ZONE_A, "10.0.0"));
    assertThat(balancer.pick(PLAIN)).isNotNull();
    update(balancer, List.of());
    assertThat(balancer.pick(PLAIN)).isNull();
    assertThat(balancer.describe().priorities()).isEmpty();
  }

  @Test
  void localityWeightedSplitFollowsLocalityWeightTimesAvailability() {
    List<TestEndpoint> a = level(0, 3, ZONE_A, "10.0.0");
    List<TestEndpoint> b = level(0, 3, ZONE_B, "10.0.1");
    b.get(1).unhealthy();
    b.get(2).unhealthy();
    // Level: 4 of 6 healthy, 93% health, alone so normalized to 100%, not in panic.
    // Zone a: weight 3, fully available. Zone b: weight 3, availability min(1, 1.4 / 3).
    double weightB = 3 * 1.4 / 3;
    double expectedB = weightB / (3 + weightB);
    ClusterBalancer balancer =
        update(balancer(LoadBalancing.DEFAULT.withLocalityWeighted(true), 8), concat(a, b));
    Map<LbEndpoint, Integer> counts = Picks.count(balancer::pick, PLAIN, PICKS);
    assertThat(share(counts, b)).isCloseTo(expectedB, within(0.01));
    assertThat(share(counts, a)).isCloseTo(1 - expectedB, within(0.01));
    assertThat(balancer.describe().priorities().get(0).localityWeights())
        .containsOnlyKeys("r/a/", "r/b/")
        .hasEntrySatisfying("r/b/", w -> assertThat(w).isCloseTo(weightB, within(1e-9)));

    // Without locality weighting the policy sees the 4 healthy endpoints alike: zone b gets 1/4.
    ClusterBalancer flat = update(balancer(LoadBalancing.DEFAULT, 8), concat(a, b));
    counts = Picks.count(flat::pick, PLAIN, PICKS);
    assertThat(share(counts, b)).isCloseTo(0.25, within(0.01));
  }

  @Test
  void localityWeightIsTheSumOfEndpointWeights() {
    List<TestEndpoint> endpoints =
        List.of(
            TestEndpoint.at("10.0.0.1", 0, ZONE_A, 6),
            TestEndpoint.at("10.0.1.1", 0, ZONE_B, 1),
            TestEndpoint.at("10.0.1.2", 0, ZONE_B, 1));
    ClusterBalancer balancer =
        update(
            balancer(LoadBalancing.of(LoadBalancing.RANDOM).withLocalityWeighted(true), 9),
            endpoints);
    Map<LbEndpoint, Integer> counts = Picks.count(balancer::pick, PLAIN, PICKS);
    assertThat(Picks.countOf(counts, endpoints.get(0)) / (double) PICKS)
        .isCloseTo(0.75, within(0.01));
  }

  @Test
  void hashPoliciesIgnoreLocalitiesAndKeepAKeyOnOneEndpoint() {
    List<TestEndpoint> p0 = concat(level(0, 3, ZONE_A, "10.0.0"), level(0, 3, ZONE_B, "10.0.1"));
    List<TestEndpoint> p1 = level(1, 4, ZONE_A, "10.0.2");
    p0.get(0).unhealthy();
    p0.get(1).unhealthy();
    p0.get(2).unhealthy();
    for (String policy : List.of(LoadBalancing.RING_HASH, LoadBalancing.MAGLEV)) {
      ClusterBalancer balancer =
          update(balancer(LoadBalancing.of(policy).withLocalityWeighted(true), 10), concat(p0, p1));
      assertThat(balancer.describe().localityWeighted()).isFalse();
      int onP1 = 0;
      for (int k = 0; k < 2_000; k++) {
        long hash = Picks.keyHash("key-" + k);
        LbEndpoint first = balancer.pick(Picks.hashed(hash));
        for (int again = 0; again < 3; again++) {
          assertThat(balancer.pick(Picks.hashed(hash))).as(policy).isSameAs(first);
        }
        assertThat(first).isNotIn(p0.get(0), p0.get(1), p0.get(2));
        onP1 += p1.contains(first) ? 1 : 0;
      }
      // P0 is half healthy: 70% of keys stay on it, 30% go to P1.
      assertThat(onP1 / 2_000.0).as(policy).isCloseTo(0.30, within(0.04));
    }
  }

  @Test
  void retriesAvoidEarlierEndpoints() {
    List<TestEndpoint> endpoints = level(0, 3, ZONE_A, "10.0.0");
    for (String policy :
        List.of(
            LoadBalancing.ROUND_ROBIN,
            LoadBalancing.LEAST_REQUEST,
            LoadBalancing.RANDOM,
            LoadBalancing.RING_HASH,
            LoadBalancing.MAGLEV)) {
      ClusterBalancer balancer = update(balancer(LoadBalancing.of(policy), 11), endpoints);
      Map<LbEndpoint, Integer> counts =
          Picks.count(balancer::pick, Picks.avoiding(Set.of(endpoints.get(1))), 3_000);
      assertThat(Picks.countOf(counts, endpoints.get(1))).as(policy).isZero();
      assertThat(Picks.sumOf(counts, endpoints)).as(policy).isEqualTo(3_000);
      assertThat(balancer.pick(Picks.avoiding(Set.copyOf(endpoints)))).as(policy).isIn(endpoints);
    }
  }

  @Test
  void retriesCrossLocalitiesAndPriorities() {
    TestEndpoint onlyInA = TestEndpoint.at("10.0.0.1", 0, ZONE_A, 1);
    TestEndpoint onlyInB = TestEndpoint.at("10.0.1.1", 0, ZONE_B, 1);
    ClusterBalancer byLocality =
        update(
            balancer(LoadBalancing.DEFAULT.withLocalityWeighted(true), 12),
            List.of(onlyInA, onlyInB));
    for (int i = 0; i < 100; i++) {
      assertThat(byLocality.pick(Picks.avoiding(Set.of(onlyInA)))).isSameAs(onlyInB);
    }

    TestEndpoint primary = TestEndpoint.at("10.0.0.1", 0, ZONE_A, 1);
    TestEndpoint backup = TestEndpoint.at("10.0.1.1", 1, ZONE_A, 1);
    ClusterBalancer byPriority =
        update(balancer(LoadBalancing.DEFAULT, 12), List.of(primary, backup));
    assertThat(Picks.count(byPriority::pick, PLAIN, 100)).containsOnlyKeys(primary);
    assertThat(byPriority.pick(Picks.avoiding(Set.of(primary)))).isSameAs(backup);
    assertThat(byPriority.pick(Picks.avoiding(Set.of(primary, backup)))).isSameAs(primary);
  }

  @Test
  void describesLoadsAndPanic() {
    List<TestEndpoint> p0 = level(0, 2, ZONE_A, "10.0.0");
    List<TestEndpoint> p1 = level(1, 2, ZONE_A, "10.0.1");
    p0.get(1).unhealthy();
    ClusterBalancer balancer = update(balancer(LoadBalancing.DEFAULT, 13), concat(p0, p1));
    ClusterBalancer.Description d = balancer.describe();
    assertThat(d.target()).isEqualTo("test");
    assertThat(d.policy()).isEqualTo("round_robin");
    assertThat(d.priorities())
        .containsExactly(
            new ClusterBalancer.PriorityLevel(0, 2, 1, 70, 70, false, Map.of()),
            new ClusterBalancer.PriorityLevel(1, 2, 2, 100, 30, false, Map.of()));
  }

  @Test
  void reusesThePolicyBalancerOfAGroupAcrossUpdates() {
    CountingProvider provider = new CountingProvider();
    ClusterBalancer balancer =
        new ClusterBalancer(LoadBalancing.of("counting"), provider, null, Picks.context(14));
    List<TestEndpoint> endpoints = level(0, 3, ZONE_A, "10.0.0");
    update(balancer, endpoints);
    endpoints.get(0).setWeight(5);
    update(balancer, endpoints);
    assertThat(provider.created).isEqualTo(1);
    update(balancer, concat(endpoints, level(1, 1, ZONE_A, "10.0.1")));
    assertThat(provider.created).isEqualTo(2);
  }

  /** Round robin that counts the balancers it makes. */
  private static final class CountingProvider implements LoadBalancerProvider {
    int created;

    @Override
    public String policyName() {
      return "counting";
    }

    @Override
    public Object parseOptions(Map<String, Object> options) {
      return null;
    }

    @Override
    public dev.weft.mesh.api.spi.LoadBalancer newLoadBalancer(
        Object parsedOptions, dev.weft.mesh.api.spi.LoadBalancerContext context) {
      created++;
      return new RoundRobinProvider().newLoadBalancer(parsedOptions, context);
    }
  }
}
