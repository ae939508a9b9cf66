package dev.weft.mesh.core.internal.lb;

import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.spi.LoadBalancer;
import dev.weft.mesh.api.spi.LoadBalancerContext;
import dev.weft.mesh.api.spi.LoadBalancerProvider;
import java.util.Map;

/**
 * The {@code ring_hash} policy: consistent hashing on a ring (Envoy's ring hash, gRFC A42). A call
 * with a hash key (from the route's hash policies) goes to the same endpoint for as long as that
 * endpoint is in the group; when one of N equal endpoints leaves, only about 1/N of the keys move.
 * A call without a hash goes to a random point of the ring. Endpoint weights scale their share of
 * the ring.
 *
 * <p>Options: {@code minRingSize} (default 1024) and {@code maxRingSize} (default 8388608), both
 * from 1 to 8388608, with {@code minRingSize <= maxRingSize}.
 *
 * <p>Stateless and thread-safe. Pickers are immutable and may be called from any thread.
 */
public final class RingHashProvider implements LoadBalancerProvider, HashBasedPolicy {
  /** The option naming the least number of ring entries. */
  public static final String MIN_RING_SIZE = "minRingSize";

  /** The option naming the most ring entries (unless there are more endpoints than that). */
  public static final String MAX_RING_SIZE = "maxRingSize";

  /** Envoy's and gRPC's default least ring size. */
  public static final int DEFAULT_MIN_RING_SIZE = 1024;

  /** Envoy's and gRPC's default largest ring size. */
  public static final int DEFAULT_MAX_RING_SIZE = 8 * 1024 * 1024;

  /** The largest ring allowed (gRFC A42's cap). */
  public static final int RING_SIZE_CAP = 8 * 1024 * 1024;

  /** Parsed options. */
  record Config(int minRingSize, int maxRingSize) {}

  @Override
  public String policyName() {
    return LoadBalancing.RING_HASH;
  }

  @Override
  public Object parseOptions(Map<String, Object> options) {
    Options o = Options.of(policyName(), options);
    int min = o.intValue(MIN_RING_SIZE, DEFAULT_MIN_RING_SIZE, 1, RING_SIZE_CAP);
    int max = o.intValue(MAX_RING_SIZE, DEFAULT_MAX_RING_SIZE, 1, RING_SIZE_CAP);
    if (min > max) {
      o.violation(MIN_RING_SIZE, "must not exceed " + MAX_RING_SIZE + " (" + max + "), was " + min);
    }
    o.throwIfInvalid();
    return new Config(min, max);
  }

  @Override
  public LoadBalancer newLoadBalancer(Object parsedOptions, LoadBalancerContext context) {
    Config config;
    if (parsedOptions == null) {
      config = new Config(DEFAULT_MIN_RING_SIZE, DEFAULT_MAX_RING_SIZE);
    } else if (parsedOptions instanceof Config c) {
      config = c;
    } else {
      throw new IllegalArgumentException(
          "options for "
              + policyName()
              + " must come from its parseOptions, got "
              + parsedOptions.getClass().getName());
    }
    return endpoints ->
        new RingHashPicker(endpoints, config.minRingSize(), config.maxRingSize(), context.random());
  }
}
