package dev.weft.mesh.core.internal.lb;

import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.runtime.RandomSource;
import dev.weft.mesh.api.spi.LoadBalancer;
import dev.weft.mesh.api.spi.LoadBalancerContext;
import dev.weft.mesh.api.spi.LoadBalancerProvider;
import java.util.Map;

/**
 * The {@code round_robin} policy: smooth weighted round robin. Over every run of {@code
 * sum(weights)} consecutive picks (after dividing the weights by their greatest common divisor)
 * each endpoint is picked exactly its weight times, and its picks are spread evenly through the run
 * rather than bunched. Each new picker starts at a random point of the cycle so that many clients
 * do not move in step. Takes no options.
 *
 * <p>Stateless and thread-safe. Pickers are immutable apart from one atomic position counter, and
 * are lock-free under concurrent callers.
 */
public final class RoundRobinProvider implements LoadBalancerProvider {

  @Override
  public String policyName() {
    return LoadBalancing.ROUND_ROBIN;
  }

  @Override
  public Object parseOptions(Map<String, Object> options) {
    Options.of(policyName(), options).throwIfInvalid();
    return Options.NONE;
  }

  @Override
  public LoadBalancer newLoadBalancer(Object parsedOptions, LoadBalancerContext context) {
    RandomSource random = context.random();
    return endpoints -> new RoundRobinPicker(endpoints, random.nextLong());
  }
}
