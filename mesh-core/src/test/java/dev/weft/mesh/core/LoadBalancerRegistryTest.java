package dev.weft.mesh.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.api.config.ConfigViolation;
import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.spi.LoadBalancer;
import dev.weft.mesh.api.spi.LoadBalancerContext;
import dev.weft.mesh.api.spi.LoadBalancerProvider;
import dev.weft.mesh.core.internal.lb.ClusterBalancer;
import dev.weft.mesh.core.internal.lb.LeastRequestProvider;
import dev.weft.mesh.core.internal.lb.MaglevProvider;
import dev.weft.mesh.core.internal.lb.Picks;
import dev.weft.mesh.core.internal.lb.RandomProvider;
import dev.weft.mesh.core.internal.lb.RingHashProvider;
import dev.weft.mesh.core.internal.lb.RoundRobinProvider;
import dev.weft.mesh.core.internal.lb.TestEndpoint;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadBalancerRegistryTest {

  @Test
  void defaultRegistryFindsTheBuiltInPoliciesOnce() {
    LoadBalancerRegistry registry = LoadBalancerRegistry.getDefault();
    assertThat(registry.policies())
        .containsExactly("least_request", "maglev", "random", "ring_hash", "round_robin");
    assertThat(registry.provider("round_robin")).isInstanceOf(RoundRobinProvider.class);
    assertThat(registry.provider("least_request")).isInstanceOf(LeastRequestProvider.class);
    assertThat(registry.provider("ring_hash")).isInstanceOf(RingHashProvider.class);
    assertThat(registry.provider("maglev")).isInstanceOf(MaglevProvider.class);
    assertThat(registry.provider("random")).isInstanceOf(RandomProvider.class);
    assertThat(registry.provider("weighted_target")).isNull();
    assertThat(LoadBalancerRegistry.getDefault()).isSameAs(registry);
  }

  @Test
  void highestPriorityWinsPerName() {
    LoadBalancerProvider custom = new Stub("round_robin", 10);
    LoadBalancerProvider lower = new Stub("round_robin", 1);
    LoadBalancerRegistry registry =
        LoadBalancerRegistry.of(new RoundRobinProvider(), custom, lower);
    assertThat(registry.provider("round_robin")).isSameAs(custom);
    assertThat(LoadBalancerRegistry.of(lower, new RoundRobinProvider()).provider("round_robin"))
        .isInstanceOf(RoundRobinProvider.class);
  }

  @Test
  void unknownPolicyListsTheKnownOnes() {
    List<ConfigViolation> violations =
        LoadBalancerRegistry.getDefault().validate(LoadBalancing.of("least_conn"));
    assertThat(violations)
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.path()).isEqualTo("policy");
              assertThat(v.message())
                  .contains(
                      "'least_conn'", "least_request, maglev, random, ring_hash, round_robin");
            });
  }

  @Test
  void badOptionsAreReportedUnderOptions() {
    LoadBalancerRegistry registry = LoadBalancerRegistry.getDefault();
    assertThat(
            registry.validate(
                LoadBalancing.of("least_request").withOptions(Map.of("choiceCount", 0))))
        .extracting(ConfigViolation::path)
        .containsExactly("options.choiceCount");
    assertThat(
            registry.validate(
                LoadBalancing.of("maglev").withOptions(Map.of("tableSize", 100, "seed", 1))))
        .extracting(ConfigViolation::path)
        .containsExactlyInAnyOrder("options.tableSize", "options.seed");
    assertThat(
            registry.validate(
                LoadBalancing.of("round_robin").withOptions(Map.of("slowStart", true))))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.path()).isEqualTo("options.slowStart");
              assertThat(v.message()).contains("takes no options");
            });
    assertThat(
            registry.validate(LoadBalancing.of("ring_hash").withOptions(Map.of("minRingSize", 64))))
        .isEmpty();
    Map<String, Object> nullKey = new java.util.HashMap<>();
    nullKey.put(null, 1);
    assertThat(registry.validate(LoadBalancing.of("random").withOptions(nullKey)))
        .extracting(ConfigViolation::path)
        .containsExactly("options");
  }

  @Test
  void thirdPartyViolationsArePlacedUnderOptions() {
    LoadBalancerRegistry registry =
        LoadBalancerRegistry.of(
            new Stub("strict", 5) {
              @Override
              public Object parseOptions(Map<String, Object> options) {
                throw new InvalidConfigException(
                    List.of(ConfigViolation.of("depth", "must be positive")));
              }
            },
            new Stub("broken", 5) {
              @Override
              public Object parseOptions(Map<String, Object> options) {
                throw new IllegalStateException("oops");
              }
            });
    assertThat(registry.validate(LoadBalancing.of("strict")))
        .extracting(ConfigViolation::path)
        .containsExactly("options.depth");
    assertThat(registry.validate(LoadBalancing.of("broken")))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.path()).isEqualTo("options");
              assertThat(v.message()).contains("oops");
            });
  }

  @Test
  void makesClusterBalancersOnlyForValidConfigs() {
    LoadBalancerRegistry registry = LoadBalancerRegistry.getDefault();
    ClusterBalancer balancer =
        registry.newClusterBalancer(LoadBalancing.of("random"), Picks.context(1));
    balancer.update(TestEndpoint.count(2), e -> true);
    assertThat(balancer.pick(Picks.PLAIN)).isNotNull();
    assertThatThrownBy(
            () -> registry.newClusterBalancer(LoadBalancing.of("nope"), Picks.context(1)))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("policy: unknown load-balancing policy 'nope'");
  }

  private static class Stub implements LoadBalancerProvider {
    private final String name;
    private final int priority;

    Stub(String name, int priority) {
      this.name = name;
      this.priority = priority;
    }

    @Override
    public String policyName() {
      return name;
    }

    @Override
    public int priority() {
      return priority;
    }

    @Override
    public Object parseOptions(Map<String, Object> options) {
      return null;
    }

    @Override
    public LoadBalancer newLoadBalancer(Object parsedOptions, LoadBalancerContext context) {
      throw new UnsupportedOperationException();
    }
  }
}
