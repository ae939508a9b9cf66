package dev.weft.mesh.core.internal.lb;

import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.runtime.RandomSource;
import dev.weft.mesh.api.spi.LoadBalancer;
import dev.weft.mesh.api.spi.LoadBalancerContext;
import dev.weft.mesh.api.spi.LoadBalancerProvider;
import java.util.Map;

/**
 * The {@code random} policy: each call goes to an endpoint drawn at random with probability
 * proportional to its weight. Takes no options.
 *
 * <p>Stateless and thread-safe. Its pickers are immutable and may be called from any thread.
 */
public final class RandomProvider implements LoadBalancerProvider {

  @Override
  public String policyName() {
    return LoadBalancing.RANDOM;
  }

  @Override
  public Object parseOptions(Map<String, Object> options) {
    Options.of(policyName(), options).throwIfInvalid();
    return Options.NONE;
  }

  @Override
  public LoadBalancer newLoadBalancer(Object parsedOptions, LoadBalancerContext context) {
    RandomSource random = context.random();
    return endpoints -> new RandomPicker(endpoints, random);
  }
}
