package dev.weft.mesh.core.internal.lb;

import dev.weft.mesh.api.runtime.RandomSource;

/**
 * Draws an index with probability proportional to its weight. Immutable and thread-safe; a draw
 * takes one random number and, for unequal weights, a binary search over cumulative weights.
 */
final class WeightedSampler {
  private final int size;
  /** Cumulative weights, or null when all weights are equal and a uniform draw will do. */
  private final long[] cumulative;
  private final long total;

  private WeightedSampler(int size, long[] cumulative, long total) {
    this.size = size;
    this.cumulative = cumulative;
    this.total = total;
  }

  /** A sampler over {@code weights}, each at least 1. */
  static WeightedSampler of(int[] weights) {
    if (weights.length == 0) {
      throw new IllegalArgumentException("no weights");
    }
    boolean equal = true;
    long sum = 0;
    long[] cumulative = new long[weights.length];
    for (int i = 0; i < weights.length; i++) {
      if (weights[i] < 1) {
        throw new IllegalArgumentException("weight " + weights[i] + " at " + i + " is below 1");
      }
      equal &= weights[i] == weights[0];
      sum += weights[i];
      cumulative[i] = sum;
    }
    return new WeightedSampler(weights.length, equal ? null : cumulative, sum);
  }

  int sample(RandomSource random) {
    if (cumulative == null) {
      return size == 1 ? 0 : random.nextInt(size);
    }
    long target;
    if (total <= Integer.MAX_VALUE) {
      target = random.nextInt((int) total);
    } else {
      target = Math.min(total - 1, (long) (random.nextDouble() * total));
    }
    // The first index whose cumulative weight exceeds the target.
    int lo = 0;
    int hi = size - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cumulative[mid] > target) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /** The sum of the weights. */
  long total() {
    return total;
  }
}
