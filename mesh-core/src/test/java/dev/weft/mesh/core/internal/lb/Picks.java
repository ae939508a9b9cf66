package dev.weft.mesh.core.internal.lb;

import dev.weft.mesh.api.runtime.RandomSource;
import dev.weft.mesh.api.runtime.Randoms;
import dev.weft.mesh.api.spi.EndpointPicker;
import dev.weft.mesh.api.spi.LbEndpoint;
import dev.weft.mesh.api.spi.LoadBalancerContext;
import dev.weft.mesh.api.spi.PickContext;
import dev.weft.mesh.testing.FakeTicker;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Pick contexts, balancer contexts and counting helpers for the load-balancer tests. */
public final class Picks {
  /** A call without a hash that avoids nothing. */
  public static final PickContext PLAIN =
      new PickContext() {
        @Override
        public boolean hasHash() {
          return false;
        }

        @Override
        public long hash() {
          return 0;
        }

        @Override
        public boolean avoid(LbEndpoint endpoint) {
          return false;
        }
      };

  public static PickContext hashed(long hash) {
    return new PickContext() {
      @Override
      public boolean hasHash() {
        return true;
      }

      @Override
      public long hash() {
        return hash;
      }

      @Override
      public boolean avoid(LbEndpoint endpoint) {
        return false;
      }
    };
  }

  public static PickContext avoiding(Set<? extends LbEndpoint> avoided) {
    return avoiding(avoided, false, 0);
  }

  public static PickContext avoiding(
      Set<? extends LbEndpoint> avoided, boolean hasHash, long hash) {
    return new PickContext() {
      @Override
      public boolean hasHash() {
        return hasHash;
      }

      @Override
      public long hash() {
        return hash;
      }

      @Override
      public boolean avoid(LbEndpoint endpoint) {
        return avoided.contains(endpoint);
      }
    };
  }

  /** The hash a route would compute for a key. */
  public static long keyHash(String key) {
    return XxHash64.hash(key, 0);
  }

  public static LoadBalancerContext context(long seed) {
    return context(seed, new FakeTicker());
  }

  public static LoadBalancerContext context(long seed, FakeTicker ticker) {
    RandomSource random = Randoms.seeded(seed);
    return new LoadBalancerContext() {
      @Override
      public String target() {
        return "test";
      }

      @Override
      public long nanoTime() {
        return ticker.nanoTime();
      }

      @Override
      public RandomSource random() {
        return random;
      }
    };
  }

  /** How many of {@code n} picks land on each endpoint. */
  public static Map<LbEndpoint, Integer> count(EndpointPicker picker, PickContext ctx, int n) {
    Map<LbEndpoint, Integer> counts = new IdentityHashMap<>();
    for (int i = 0; i < n; i++) {
      counts.merge(picker.pick(ctx), 1, Integer::sum);
    }
    return counts;
  }

  public static int countOf(Map<LbEndpoint, Integer> counts, LbEndpoint e) {
    return counts.getOrDefault(e, 0);
  }

  public static int sumOf(Map<LbEndpoint, Integer> counts, List<? extends LbEndpoint> endpoints) {
    int sum = 0;
    for (LbEndpoint e : endpoints) {
      sum += countOf(counts, e);
    }
    return sum;
  }

  private Picks() {}
}
