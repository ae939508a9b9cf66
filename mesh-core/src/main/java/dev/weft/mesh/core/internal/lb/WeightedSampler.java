package dev.weft.mesh.core.internal.lb;

import dev.weft.mesh.api.runtime.RandomSource;

/**
 * Draws an index with probability proportional to its weight: the engine's one cumulative-weight
 * table, behind the weighted pickers, the choice of a locality and the split of a route over its
 * destinations. Immutable and thread-safe; a draw takes one random number and, for unequal weights,
 * a binary search over cumulative weights. Allocation-free.
 */
public final class WeightedSampler {
  private final int size;

  /** Cumulative weights, or null when all weights are equal and a uniform draw will do. */
  private final double[] cumulative;

  private final double total;

  /** Whole weights whose sum fits an int are drawn with {@code nextInt}, exactly. */
  private final boolean wholeInt;

  private WeightedSampler(int size, double[] cumulative, double total, boolean wholeInt) {
    this.size = size;
    this.cumulative = cumulative;
    this.total = total;
    this.wholeInt = wholeInt;
  }

  /**
   * A sampler over whole {@code weights}, none negative and not all zero; a zero weight is never
   * drawn.
   */
  public static WeightedSampler of(int[] weights) {
    double[] w = new double[weights.length];
    for (int i = 0; i < weights.length; i++) {
      w[i] = weights[i];
    }
    return build(w, true);
  }

  /**
   * A sampler over real {@code weights}, none negative and not all zero; a zero weight is never
   * drawn.
   */
  public static WeightedSampler of(double[] weights) {
    return build(weights.clone(), false);
  }

  private static WeightedSampler build(double[] weights, boolean whole) {
    if (weights.length == 0) {
      throw new IllegalArgumentException("no weights");
    }
    boolean equal = true;
    double sum = 0;
    // Reused in place: the callers above hand over a private copy.
    double[] cumulative = weights;
    for (int i = 0; i < weights.length; i++) {
      double w = weights[i];
      if (!(w >= 0) || Double.isInfinite(w)) {
        throw new IllegalArgumentException(
            "weight " + w + " at " + i + " is not a finite number of 0 or more");
      }
      equal &= w == weights[0];
      sum += w;
      cumulative[i] = sum;
    }
    if (!(sum > 0)) {
      throw new IllegalArgumentException(
          "the weights add up to " + sum + "; at least one must be above 0");
    }
    return new WeightedSampler(
        weights.length, equal ? null : cumulative, sum, whole && sum <= Integer.MAX_VALUE);
  }

  /** An index from 0 to {@code size - 1}, each with probability proportional to its weight. */
  public int sample(RandomSource random) {
    if (cumulative == null) {
      return size == 1 ? 0 : random.nextInt(size);
    }
    // Whole weights above an int's range lose nothing that matters here: a double holds sums up to
    // 2^53 exactly.
    double target = wholeInt ? random.nextInt((int) total) : random.nextDouble() * total;
    // The first index whose cumulative weight exceeds the target; the last if rounding reached the
    // total.
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
  public double total() {
    return total;
  }
}
