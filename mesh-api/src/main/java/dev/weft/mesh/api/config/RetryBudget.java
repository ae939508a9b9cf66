package dev.weft.mesh.api.config;

import dev.weft.mesh.api.internal.Checks;
import java.time.Duration;

/**
 * Bounds retries and hedged attempts to a share of the calls (Finagle's and Envoy's retry budget),
 * so that retries cannot multiply the load on a struggling cluster. Over any window of {@code ttl},
 * extra attempts may be at most {@code percent}% of the calls plus {@code minRetriesPerSecond} per
 * second.
 *
 * @param percent extra attempts allowed, as a percentage of calls; default 20
 * @param minRetriesPerSecond a floor of extra attempts allowed per second whatever the call rate,
 *     so that a quiet client can still retry; default 10
 * @param ttl how long a call counts toward the budget; default 10 s
 */
public record RetryBudget(double percent, int minRetriesPerSecond, Duration ttl) {
  /** 20% plus 10 per second, counted over 10 seconds. */
  public static final RetryBudget DEFAULT = new RetryBudget(20.0, 10, Duration.ofSeconds(10));

  public RetryBudget {
    Checks c = Checks.start();
    c.require(
        percent >= 0 && percent <= 1000 && !Double.isNaN(percent),
        "percent",
        "must be from 0 to 1000, was %s",
        percent);
    c.require(
        minRetriesPerSecond >= 0,
        "minRetriesPerSecond",
        "must not be negative, was %d",
        minRetriesPerSecond);
    c.positive(ttl, "ttl");
    if (ttl != null && !ttl.isNegative() && !ttl.isZero()) {
      c.require(
          ttl.compareTo(Duration.ofSeconds(1)) >= 0 && ttl.compareTo(Duration.ofSeconds(60)) <= 0,
          "ttl",
          "must be from 1 s to 60 s, was %s",
          ttl);
    }
    c.throwIfAny();
  }
}
