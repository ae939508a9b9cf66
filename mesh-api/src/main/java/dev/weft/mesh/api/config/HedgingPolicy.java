package dev.weft.mesh.api.config;

import dev.weft.mesh.api.internal.Checks;
import java.time.Duration;
import java.util.Set;

/**
 * Sends extra attempts to other endpoints when the first is slow; the first success wins and the
 * others are cancelled. Extra attempts draw on the cluster's {@link RetryBudget} and never start
 * past the call's deadline.
 *
 * @param maxAttempts the most attempts in all, the first included; 1 turns hedging off
 * @param delay how long to wait before each extra attempt; with {@code delayPercentile} set, the
 *     least wait
 * @param delayPercentile when above zero, wait for this percentile of the route's observed latency
 *     instead (for example 95), but never less than {@code delay}
 * @param nonFatalOn failures that do not end the call while other attempts may still succeed
 *     (gRPC's {@code nonFatalStatusCodes}); any other failure ends the call at once
 */
public record HedgingPolicy(
    int maxAttempts, Duration delay, double delayPercentile, Set<RetryOn> nonFatalOn) {
  /** No hedging. */
  public static final HedgingPolicy NONE = new HedgingPolicy(1, Duration.ZERO, 0, Set.of());

  public HedgingPolicy {
    nonFatalOn = nonFatalOn == null ? Set.of() : Set.copyOf(nonFatalOn);
    Checks c = Checks.start();
    c.require(
        maxAttempts >= 1 && maxAttempts <= 5,
        "maxAttempts",
        "must be from 1 to 5, was %d",
        maxAttempts);
    c.nonNegative(delay, "delay");
    c.require(
        delayPercentile == 0 || (delayPercentile >= 50 && delayPercentile < 100),
        "delayPercentile",
        "must be 0 or from 50 to below 100, was %s",
        delayPercentile);
    if (maxAttempts > 1 && delay != null && delayPercentile == 0) {
      c.require(
          !delay.isZero() && !delay.isNegative(),
          "delay",
          "must be positive when hedging without a percentile");
    }
    c.throwIfAny();
  }

  /** Whether this policy ever sends an extra attempt. */
  public boolean enabled() {
    return maxAttempts > 1;
  }

  /** Up to {@code maxAttempts} attempts, each extra one after a fixed delay. */
  public static HedgingPolicy fixed(int maxAttempts, Duration delay) {
    return new HedgingPolicy(maxAttempts, delay, 0, Set.of(RetryOn.UNAVAILABLE, RetryOn.FIVE_XX));
  }

  /** Up to {@code maxAttempts} attempts, each extra one after the observed latency percentile. */
  public static HedgingPolicy percentile(int maxAttempts, double percentile, Duration minDelay) {
    return new HedgingPolicy(
        maxAttempts, minDelay, percentile, Set.of(RetryOn.UNAVAILABLE, RetryOn.FIVE_XX));
  }
}
