package dev.weft.mesh.core.internal.lb;

import dev.weft.mesh.api.config.SlowStart;
import dev.weft.mesh.api.runtime.Nanos;

/** The weight of an endpoint while it ramps up after joining (Envoy's slow start). Stateless. */
public final class SlowStartWeights {

  /**
   * The weight to balance with for an endpoint that joined {@code ageNanos} ago: {@code weight *
   * max(minWeightPercent / 100, (age / window) ^ (1 / aggression))} while the endpoint is younger
   * than the window, and {@code weight} from then on or when slow start is disabled. Rounded to the
   * nearest whole number and never below 1.
   *
   * <p>Weights are whole numbers, so an endpoint of weight 1 cannot ramp: a cluster with slow start
   * should scale its configured weights up (for example by 100) before calling this, which does not
   * change their ratios.
   *
   * @param weight the configured weight, at least 1
   * @param config the cluster's slow-start settings
   * @param ageNanos time since the endpoint joined (or came back healthy); negative counts as zero
   */
  public static int effectiveWeight(int weight, SlowStart config, long ageNanos) {
    if (weight < 1) {
      throw new IllegalArgumentException("weight must be at least 1, was " + weight);
    }
    if (!config.enabled()) {
      return weight;
    }
    long windowNanos = Nanos.of(config.window());
    if (ageNanos >= windowNanos) {
      return weight;
    }
    double timeFactor = Math.max(0, ageNanos) / (double) windowNanos;
    double ramp =
        config.aggression() == 1.0 ? timeFactor : Math.pow(timeFactor, 1.0 / config.aggression());
    double factor = Math.max(config.minWeightPercent() / 100.0, ramp);
    long scaled = Math.round(weight * factor);
    return (int) Math.max(1, Math.min(weight, scaled));
  }

  private SlowStartWeights() {}
}
