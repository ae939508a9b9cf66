package dev.weft.mesh.api.config;

import dev.weft.mesh.api.internal.Checks;
import java.time.Duration;

/**
 * A token bucket in this process that limits how many calls a route sends (Envoy's local rate
 * limit). A call that finds the bucket empty fails at once without leaving the process.
 *
 * @param maxTokens the bucket's size: the largest burst; 0 turns the limit off
 * @param tokensPerFill tokens added each {@code fillInterval}
 * @param fillInterval how often tokens are added
 */
public record LocalRateLimit(long maxTokens, long tokensPerFill, Duration fillInterval) {
  /** No limit. */
  public static final LocalRateLimit UNLIMITED = new LocalRateLimit(0, 0, Duration.ofSeconds(1));

  public LocalRateLimit {
    Checks c = Checks.start();
    c.require(maxTokens >= 0, "maxTokens", "must not be negative, was %d", maxTokens);
    c.require(tokensPerFill >= 0, "tokensPerFill", "must not be negative, was %d", tokensPerFill);
    if (maxTokens > 0) {
      c.require(
          tokensPerFill >= 1,
          "tokensPerFill",
          "must be at least 1 when maxTokens is set, was %d",
          tokensPerFill);
    }
    c.positive(fillInterval, "fillInterval");
    if (fillInterval != null && !fillInterval.isNegative() && !fillInterval.isZero()) {
      c.require(
          fillInterval.toMillis() >= 1,
          "fillInterval",
          "must be at least 1 ms, was %s",
          fillInterval);
    }
    c.throwIfAny();
  }

  public boolean enabled() {
    return maxTokens > 0;
  }

  /** {@code permits} calls per {@code period}, with bursts of up to {@code permits}. */
  public static LocalRateLimit of(long permits, Duration period) {
    return new LocalRateLimit(permits, permits, period);
  }
}
