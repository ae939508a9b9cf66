package dev.weft.mesh.core.internal.lb;

import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.spi.LoadBalancer;
import dev.weft.mesh.api.spi.LoadBalancerContext;
import dev.weft.mesh.api.spi.LoadBalancerProvider;
import java.util.Map;

/**
 * The {@code least_request} policy: power of two choices (Envoy's least request, gRFC A48) with
 * Finagle's and Linkerd's peak-EWMA cost. For each call it draws {@code choiceCount} candidates,
 * each with probability proportional to its weight, and sends the call to the one with the lowest
 * cost {@code peakEwmaLatency * (1 + activeRequests / weight)}. An endpoint without a latency
 * estimate costs nothing while idle (so it is probed) and more than any measured endpoint while it
 * has calls in flight.
 *
 * <p>Options: {@code choiceCount}, the number of candidates per call, from 2 to 100, default 2.
 *
 * <p>Stateless and thread-safe. Pickers are immutable, read the endpoints' live counters without
 * locks and may be called from any thread.
 */
public final class LeastRequestProvider implements LoadBalancerProvider {
  /** The option naming the number of candidates per call. */
  public static final String CHOICE_COUNT = "choiceCount";

  /** Power of two choices. */
  public static final int DEFAULT_CHOICE_COUNT = 2;

  static final int MAX_CHOICE_COUNT = 100;

  /** Parsed options. */
  record Config(int choiceCount) {}

  @Override
  public String policyName() {
    return LoadBalancing.LEAST_REQUEST;
  }

  @Override
  public Object parseOptions(Map<String, Object> options) {
    Options o = Options.of(policyName(), options);
    int choiceCount = o.intValue(CHOICE_COUNT, DEFAULT_CHOICE_COUNT, 2, MAX_CHOICE_COUNT);
    o.throwIfInvalid();
    return new Config(choiceCount);
  }

  @Override
  public LoadBalancer newLoadBalancer(Object parsedOptions, LoadBalancerContext context) {
    Config config = parsedOptions == null ? new Config(DEFAULT_CHOICE_COUNT) : cast(parsedOptions);
    int choiceCount = config.choiceCount();
    return endpoints -> new LeastRequestPicker(endpoints, choiceCount, context.random());
  }

  private Config cast(Object parsedOptions) {
    if (parsedOptions instanceof Config c) {
      return c;
    }
    throw new IllegalArgumentException(
        "options for "
            + policyName()
            + " must come from its parseOptions, got "
            + parsedOptions.getClass().getName());
  }
}
