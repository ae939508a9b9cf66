package dev.weft.mesh.core.internal.lb;

import java.util.Arrays;

/**
 * The order in which weighted round robin visits endpoints: position {@code n} of an endless,
 * periodic sequence maps to an endpoint index. Over any {@link #period()} consecutive positions
 * each endpoint appears exactly its weight times (after dividing all weights by their greatest
 * common divisor). Immutable; {@link #at} allocates nothing.
 *
 * <p>Two layouts: while the period is at most {@link #MAX_TABLE}, a precomputed table in
 * earliest-deadline-first order, where the k-th visit of an endpoint of weight w is due at {@code
 * (k + 1/2) / w} of the period (so visits of each endpoint are spread evenly and light endpoints
 * are not bunched at the end). For larger periods, interleaved rounds computed on demand: round r
 * visits, heaviest first, every endpoint whose weight exceeds r.
 */
abstract class WrrSchedule {
  /** The largest period laid out as a table (128 KiB of indexes). */
  static final int MAX_TABLE = 1 << 15;

  /** The endpoint index at position {@code n}, for any {@code n >= 0}. */
  abstract int at(long n);

  /** Positions per full cycle: the sum of the reduced weights. */
  abstract long period();

  static WrrSchedule of(int[] weights) {
    if (weights.length == 0) {
      throw new IllegalArgumentException("no weights");
    }
    int gcd = 0;
    for (int w : weights) {
      if (w < 1) {
        throw new IllegalArgumentException("weights must be at least 1, got " + w);
      }
      gcd = gcd(gcd, w);
    }
    int[] reduced = new int[weights.length];
    long sum = 0;
    for (int i = 0; i < weights.length; i++) {
      reduced[i] = weights[i] / gcd;
      sum += reduced[i];
    }
    return sum <= MAX_TABLE ? new Table(reduced, (int) sum) : new Rounds(reduced, sum);
  }

  private static int gcd(int a, int b) {
    while (b != 0) {
      int t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  /** A precomputed earliest-deadline-first cycle. */
  static final class Table extends WrrSchedule {
    private final int[] order;

    Table(int[] weights, int period) {
      this.order = new int[period];
      int n = weights.length;
      int[] visits = new int[n];
      // A binary min-heap of endpoint indexes ordered by their next deadline (2*visits + 1) /
      // (2*weight),
      // ties by index; every endpoint stays in the heap and is sifted down after each visit.
      int[] heap = new int[n];
      for (int i = 0; i < n; i++) {
        heap[i] = i;
      }
      for (int i = n / 2 - 1; i >= 0; i--) {
        siftDown(heap, i, n, weights, visits);
      }
      for (int pos = 0; pos < period; pos++) {
        int top = heap[0];
        order[pos] = top;
        visits[top]++;
        siftDown(heap, 0, n, weights, visits);
      }
    }

    private static void siftDown(int[] heap, int i, int size, int[] weights, int[] visits) {
      int item = heap[i];
      while (true) {
        int child = 2 * i + 1;
        if (child >= size) {
          break;
        }
        if (child + 1 < size && earlier(heap[child + 1], heap[child], weights, visits)) {
          child++;
        }
        if (!earlier(heap[child], item, weights, visits)) {
          break;
        }
        heap[i] = heap[child];
        i = child;
      }
      heap[i] = item;
    }

    /** Whether endpoint {@code a}'s next deadline comes before {@code b}'s. */
    private static boolean earlier(int a, int b, int[] weights, int[] visits) {
      long lhs = (2L * visits[a] + 1) * weights[b];
      long rhs = (2L * visits[b] + 1) * weights[a];
      return lhs < rhs || (lhs == rhs && a < b);
    }

    @Override
    int at(long n) {
      return order[(int) Math.floorMod(n, (long) order.length)];
    }

    @Override
    long period() {
      return order.length;
    }
  }

  /** Interleaved rounds, for periods too long to lay out. */
  static final class Rounds extends WrrSchedule {
    /** Endpoint indexes by weight, heaviest first (ties by index). */
    private final int[] byWeight;

    /** Their weights, in the same (non-increasing) order. */
    private final int[] weights;

    /** {@code tailSums[c]} is the sum of {@code weights[c..]}. */
    private final long[] tailSums;

    private final long period;

    Rounds(int[] reduced, long period) {
      int n = reduced.length;
      Integer[] boxed = new Integer[n];
      for (int i = 0; i < n; i++) {
        boxed[i] = i;
      }
      Arrays.sort(
          boxed,
          (a, b) ->
              reduced[a] != reduced[b]
                  ? Integer.compare(reduced[b], reduced[a])
                  : Integer.compare(a, b));
      this.byWeight = new int[n];
      this.weights = new int[n];
      for (int i = 0; i < n; i++) {
        byWeight[i] = boxed[i];
        weights[i] = reduced[boxed[i]];
      }
      this.tailSums = new long[n + 1];
      for (int i = n - 1; i >= 0; i--) {
        tailSums[i] = tailSums[i + 1] + weights[i];
      }
      this.period = period;
    }

    @Override
    int at(long n) {
      long p = Math.floorMod(n, period);
      // Find the round r with start(r) <= p < start(r + 1), where start(r) = sum of min(w, r).
      int lo = 0;
      int hi = weights[0] - 1;
      while (lo < hi) {
        int mid = (int) (((long) lo + hi + 1) >>> 1);
        if (start(mid) <= p) {
          lo = mid;
        } else {
          hi = mid - 1;
        }
      }
      return byWeight[(int) (p - start(lo))];
    }

    /** How many positions come before round {@code r}. */
    private long start(int r) {
      int heavier = heavierThan(r);
      return tailSums[heavier] + (long) r * heavier;
    }

    /** How many endpoints have a weight above {@code r}: they take part in round r. */
    private int heavierThan(int r) {
      int lo = 0;
      int hi = weights.length;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (weights[mid] > r) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }

    @Override
    long period() {
      return period;
    }
  }
}
