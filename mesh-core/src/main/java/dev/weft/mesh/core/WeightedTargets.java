package dev.weft.mesh.core;

import dev.weft.mesh.api.runtime.RandomSource;

/**
 * Chooses among a route's destinations by weight: a cumulative-weight table searched with one
 * random draw. Immutable; no allocation per pick.
 */
final class WeightedTargets {
  private final RouteTarget[] targets;
  private final int[] cumulative;
  private final int total;

  WeightedTargets(RouteTarget[] targets, int[] weights) {
    this.targets = targets;
    this.cumulative = new int[weights.length];
    int sum = 0;
    for (int i = 0; i < weights.length; i++) {
      sum += weights[i];
      cumulative[i] = sum;
    }
    this.total = sum;
  }

  RouteTarget pick(RandomSource random) {
    if (targets.length == 1) {
      return targets[0];
    }
    int r = random.nextInt(total);
    // Few destinations in practice: a linear scan beats a binary search.
    for (int i = 0; i < cumulative.length; i++) {
      if (r < cumulative[i]) {
        return targets[i];
      }
    }
    return targets[targets.length - 1];
  }

  RouteTarget[] all() {
    return targets;
  }
}
