package dev.weft.mesh.core.internal.lb;

import dev.weft.mesh.api.runtime.RandomSource;
import dev.weft.mesh.api.spi.EndpointPicker;
import dev.weft.mesh.api.spi.LbEndpoint;
import dev.weft.mesh.api.spi.PickContext;
import java.util.List;

/** Weighted random choice; retries elsewhere by redrawing, then by scanning. */
final class RandomPicker implements EndpointPicker {
  private static final int REDRAWS = 3;

  private final LbEndpoint[] endpoints;
  private final WeightedSampler sampler;
  private final RandomSource random;

  RandomPicker(List<? extends LbEndpoint> list, RandomSource random) {
    this.endpoints = list.toArray(new LbEndpoint[0]);
    int[] weights = new int[endpoints.length];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = Math.max(1, endpoints[i].weight());
    }
    this.sampler = WeightedSampler.of(weights);
    this.random = random;
  }

  @Override
  public LbEndpoint pick(PickContext context) {
    int i = sampler.sample(random);
    LbEndpoint first = endpoints[i];
    if (!context.avoid(first)) {
      return first;
    }
    for (int attempt = 0; attempt < REDRAWS; attempt++) {
      LbEndpoint candidate = endpoints[sampler.sample(random)];
      if (!context.avoid(candidate)) {
        return candidate;
      }
    }
    int allowed = Avoidance.nextAllowed(endpoints, i + 1, context);
    return allowed < 0 ? first : endpoints[allowed];
  }
}
