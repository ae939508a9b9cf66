package dev.weft.mesh.api.config;

import dev.weft.mesh.api.internal.Checks;
import java.util.Map;

/**
 * How a cluster spreads calls over its endpoints.
 *
 * @param policy the name of a load-balancing policy found through {@link
 *     dev.weft.mesh.api.spi.LoadBalancerProvider}: built in are {@code round_robin} (smooth
 *     weighted), {@code least_request} (power of two choices with peak EWMA latency), {@code
 *     ring_hash}, {@code maglev} and {@code random}
 * @param options policy-specific options, validated by the policy's provider (plain values:
 *     strings, numbers, booleans, lists and maps)
 * @param localityWeighted whether traffic is first split across localities by their weight (Envoy's
 *     locality-weighted load balancing)
 * @param overprovisioningFactor Envoy's overprovisioning factor in percent: a priority level whose
 *     healthy share times this factor is under 100% spills traffic to the next level; default 140
 * @param panicThresholdPercent when fewer than this percentage of a level's endpoints are healthy,
 *     calls go to all of them regardless of health (Envoy's panic mode); 0 disables; default 50
 * @param slowStart ramp-up for new endpoints
 */
public record LoadBalancing(
    String policy,
    Map<String, Object> options,
    boolean localityWeighted,
    int overprovisioningFactor,
    double panicThresholdPercent,
    SlowStart slowStart) {

  public static final String ROUND_ROBIN = "round_robin";
  public static final String LEAST_REQUEST = "least_request";
  public static final String RING_HASH = "ring_hash";
  public static final String MAGLEV = "maglev";
  public static final String RANDOM = "random";

  public static final int DEFAULT_OVERPROVISIONING_FACTOR = 140;
  public static final double DEFAULT_PANIC_THRESHOLD_PERCENT = 50.0;

  /** Round robin with Envoy's defaults. */
  public static final LoadBalancing DEFAULT = of(ROUND_ROBIN);

  public LoadBalancing {
    options = Checks.map(options);
    Checks c = Checks.start();
    c.name(policy, "policy");
    c.require(
        overprovisioningFactor >= 100,
        "overprovisioningFactor",
        "must be at least 100 (percent), was %d",
        overprovisioningFactor);
    c.percent(panicThresholdPercent, "panicThresholdPercent");
    c.notNull(slowStart, "slowStart");
    c.throwIfAny();
  }

  /** The named policy with no options and default locality, priority and slow-start settings. */
  public static LoadBalancing of(String policy) {
    return new LoadBalancing(
        policy,
        Map.of(),
        false,
        DEFAULT_OVERPROVISIONING_FACTOR,
        DEFAULT_PANIC_THRESHOLD_PERCENT,
        SlowStart.DISABLED);
  }

  public LoadBalancing withOptions(Map<String, Object> newOptions) {
    return new LoadBalancing(
        policy,
        newOptions,
        localityWeighted,
        overprovisioningFactor,
        panicThresholdPercent,
        slowStart);
  }

  public LoadBalancing withSlowStart(SlowStart newSlowStart) {
    return new LoadBalancing(
        policy,
        options,
        localityWeighted,
        overprovisioningFactor,
        panicThresholdPercent,
        newSlowStart);
  }

  public LoadBalancing withLocalityWeighted(boolean newLocalityWeighted) {
    return new LoadBalancing(
        policy,
        options,
        newLocalityWeighted,
        overprovisioningFactor,
        panicThresholdPercent,
        slowStart);
  }

  public LoadBalancing withPanicThresholdPercent(double percent) {
    return new LoadBalancing(
        policy, options, localityWeighted, overprovisioningFactor, percent, slowStart);
  }

  public LoadBalancing withOverprovisioningFactor(int factor) {
    return new LoadBalancing(
        policy, options, localityWeighted, factor, panicThresholdPercent, slowStart);
  }
}
