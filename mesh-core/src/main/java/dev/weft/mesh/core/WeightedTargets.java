package dev.weft.mesh.core;

import dev.weft.mesh.api.runtime.RandomSource;
import dev.weft.mesh.core.internal.lb.WeightedSampler;

/**
 * Chooses among a route's destinations by weight (a zero weight is never chosen), with the engine's
 * one weighted sampler. Immutable but for a canary guard's {@link #reweigh}; no allocation per
 * pick.
 */
final class WeightedTargets {
  private final RouteTarget[] targets;
  // Volatile so that a canary guard can reweigh the route in place (see reweigh).
  private volatile WeightedSampler sampler;

  WeightedTargets(RouteTarget[] targets, int[] weights) {
    this.targets = targets;
    this.sampler = WeightedSampler.of(weights);
  }

  RouteTarget pick(RandomSource random) {
    return targets[sampler.sample(random)];
  }

  /**
   * Replaces the weights (same order and length as the targets), for a canary guard's rollback or
   * promotion: calls pick with the new weights from their next pick on. Control path only.
   */
  void reweigh(int[] weights) {
    if (weights.length != targets.length) {
      throw new IllegalArgumentException(
          weights.length + " weights for " + targets.length + " destinations");
    }
    sampler = WeightedSampler.of(weights);
  }

  RouteTarget[] all() {
    return targets;
  }
}
