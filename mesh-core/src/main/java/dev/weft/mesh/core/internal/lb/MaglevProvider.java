package dev.weft.mesh.core.internal.lb;

import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.spi.LoadBalancer;
import dev.weft.mesh.api.spi.LoadBalancerContext;
import dev.weft.mesh.api.spi.LoadBalancerProvider;
import java.util.Map;

/**
 * The {@code maglev} policy: consistent hashing with a Maglev lookup table (as Envoy's maglev load
 * balancer). Like {@code ring_hash}, a call's hash key keeps it on one endpoint and only about 1/N
 * of the keys move when one of N endpoints leaves; lookups are a single array read and the spread
 * over endpoints is tighter, at the cost of a somewhat slower rebuild. Endpoint weights scale their
 * share of the table. A call without a hash goes to a random slot.
 *
 * <p>Options: {@code tableSize}, a prime number of slots from 7 to 5000011, default 65537. Keep it
 * well above (Envoy suggests 100 times) the number of endpoints: endpoints beyond the table size
 * get no slot.
 *
 * <p>Stateless and thread-safe. Pickers are immutable and may be called from any thread.
 */
public final class MaglevProvider implements LoadBalancerProvider, HashBasedPolicy {
  /** The option naming the number of slots in the lookup table. */
  public static final String TABLE_SIZE = "tableSize";

  /** Envoy's default table size. */
  public static final int DEFAULT_TABLE_SIZE = 65537;

  /** Envoy's largest table size. */
  public static final int MAX_TABLE_SIZE = 5000011;

  static final int MIN_TABLE_SIZE = 7;

  /** Parsed options. */
  record Config(int tableSize) {}

  @Override
  public String policyName() {
    return LoadBalancing.MAGLEV;
  }

  @Override
  public Object parseOptions(Map<String, Object> options) {
    Options o = Options.of(policyName(), options);
    int size = o.intValue(TABLE_SIZE, DEFAULT_TABLE_SIZE, MIN_TABLE_SIZE, MAX_TABLE_SIZE);
    if (!isPrime(size)) {
      o.violation(TABLE_SIZE, "must be a prime number, was " + size);
    }
    o.throwIfInvalid();
    return new Config(size);
  }

  @Override
  public LoadBalancer newLoadBalancer(Object parsedOptions, LoadBalancerContext context) {
    Config config;
    if (parsedOptions == null) {
      config = new Config(DEFAULT_TABLE_SIZE);
    } else if (parsedOptions instanceof Config c) {
      config = c;
    } else {
      throw new IllegalArgumentException(
          "options for "
              + policyName()
              + " must come from its parseOptions, got "
              + parsedOptions.getClass().getName());
    }
    return endpoints -> new MaglevPicker(endpoints, config.tableSize(), context.random());
  }

  static boolean isPrime(int n) {
    if (n < 2) {
      return false;
    }
    if (n % 2 == 0) {
      return n == 2;
    }
    for (int d = 3; (long) d * d <= n; d += 2) {
      if (n % d == 0) {
        return false;
      }
    }
    return true;
  }
}
