package dev.weft.mesh.core.internal.lb;

import java.util.Arrays;

/**
 * How traffic splits across priority levels, by Envoy's rules, in whole percent.
 *
 * <p>A level's health is {@code min(100, overprovisioningFactor * healthy / total)}. Levels take
 * load in priority order, each {@code health * 100 / normalizedTotalHealth} of what remains, where
 * the normalized total health is the sum of the levels' health capped at 100; so a level under 100%
 * health spills the rest to the next level, and when the levels together are under 100% the shares
 * are scaled up so that all traffic still goes somewhere. Rounding leftovers go to the first level
 * with any health.
 *
 * <p>Panic: when the normalized total health is under 100, a level whose healthy share is below the
 * panic threshold is in panic and balances over all its endpoints, healthy or not. When every level
 * is in panic (in particular when nothing is healthy), load is split by endpoint count instead.
 * With the threshold at 0 there is no panic, and no healthy endpoint means no endpoint to use.
 *
 * @param health each level's health score, 0 to 100
 * @param load each level's share of calls, summing to 100 when {@code usable}
 * @param panic whether each level is in panic
 * @param usable whether there is anything to send calls to
 */
record PriorityLoad(int[] health, int[] load, boolean[] panic, boolean usable) {

  static PriorityLoad compute(
      int[] total, int[] healthy, int overprovisioningFactor, double panicThresholdPercent) {
    int n = total.length;
    int[] health = new int[n];
    int[] load = new int[n];
    boolean[] panic = new boolean[n];
    if (n == 0) {
      return new PriorityLoad(health, load, panic, false);
    }
    int sum = 0;
    for (int i = 0; i < n; i++) {
      health[i] =
          total[i] == 0
              ? 0
              : (int) Math.min(100, (long) overprovisioningFactor * healthy[i] / total[i]);
      sum += health[i];
    }
    int normalized = Math.min(100, sum);
    boolean panicEnabled = panicThresholdPercent > 0;
    if (normalized == 0) {
      if (!panicEnabled) {
        return new PriorityLoad(health, load, panic, false);
      }
      Arrays.fill(panic, true);
      splitByEndpointCount(total, load);
      return new PriorityLoad(health, load, panic, true);
    }
    int remaining = 100;
    for (int i = 0; i < n; i++) {
      load[i] = Math.min(remaining, health[i] * 100 / normalized);
      remaining -= load[i];
    }
    addToFirst(health, load, remaining);
    if (normalized < 100 && panicEnabled) {
      boolean all = true;
      for (int i = 0; i < n; i++) {
        panic[i] = total[i] > 0 && 100.0 * healthy[i] / total[i] < panicThresholdPercent;
        all &= panic[i];
      }
      if (all) {
        Arrays.fill(load, 0);
        splitByEndpointCount(total, load);
      }
    }
    return new PriorityLoad(health, load, panic, true);
  }

  private static void splitByEndpointCount(int[] total, int[] load) {
    long all = 0;
    for (int t : total) {
      all += t;
    }
    int remaining = 100;
    for (int i = 0; i < total.length; i++) {
      load[i] = (int) (100L * total[i] / all);
      remaining -= load[i];
    }
    addToFirst(total, load, remaining);
  }

  private static void addToFirst(int[] eligible, int[] load, int remaining) {
    for (int i = 0; remaining > 0 && i < eligible.length; i++) {
      if (eligible[i] > 0) {
        load[i] += remaining;
        return;
      }
    }
  }
}
