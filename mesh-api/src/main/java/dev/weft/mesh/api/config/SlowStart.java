package dev.weft.mesh.api.config;

import dev.weft.mesh.api.internal.Checks;
import java.time.Duration;

/**
 * Ramps up the traffic to a newly added endpoint over a window (Envoy's {@code SlowStartConfig}):
 * during the window its effective weight is {@code weight * max(minWeightPercent/100,
 * (t/window)^(1/aggression))}.
 *
 * @param window how long the ramp lasts; zero turns slow start off
 * @param aggression how fast the ramp rises; 1.0 is linear, larger values rise faster early
 * @param minWeightPercent the least share of its weight a new endpoint gets, 0 to 100
 */
public record SlowStart(Duration window, double aggression, double minWeightPercent) {
  /** No slow start: new endpoints get their full weight at once. */
  public static final SlowStart DISABLED = new SlowStart(Duration.ZERO, 1.0, 10.0);

  public SlowStart {
    Checks c = Checks.start();
    c.nonNegative(window, "window");
    c.require(
        aggression > 0 && Double.isFinite(aggression),
        "aggression",
        "must be a positive number, was %s",
        aggression);
    c.percent(minWeightPercent, "minWeightPercent");
    c.throwIfAny();
  }

  public boolean enabled() {
    return !window.isZero();
  }
}
