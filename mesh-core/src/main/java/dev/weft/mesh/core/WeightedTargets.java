package dev.weft.mesh.core;

import dev.weft.mesh.api.runtime.RandomSource;
import dev.weft.mesh.core.internal.lb.WeightedSampler;

/**
 * Chooses among a route's destinations by weight (a zero weight is never chosen), with the engine's
 * one weighted sampler. Immutable; no allocation per pick.
 */
final class WeightedTargets {
  private final RouteTarget[] targets;
  private final WeightedSampler sampler;

  WeightedTargets(RouteTarget[] targets, int[] weights) {
    this.targets = targets;
    this.sampler = WeightedSampler.of(weights);
  }

  RouteTarget pick(RandomSource random) {
    return targets[sampler.sample(random)];
  }

  RouteTarget[] all() {
    return targets;
  }
}
