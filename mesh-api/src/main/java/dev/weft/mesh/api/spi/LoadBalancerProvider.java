package dev.weft.mesh.api.spi;

import java.util.Map;

/**
 * Makes load balancers of one policy. Providers are found with {@link java.util.ServiceLoader}
 * (register the class in {@code META-INF/services/dev.weft.mesh.api.spi.LoadBalancerProvider}); a
 * provider with the name of a built-in policy and a higher {@link #priority()} replaces it.
 *
 * <p>Implementations are stateless and thread-safe.
 */
public interface LoadBalancerProvider {

  /** The policy name used in configuration, for example {@code least_request}. */
  String policyName();

  /** Among providers of one name the highest priority wins; built-in providers have 5. */
  default int priority() {
    return 5;
  }

  /**
   * Validates this policy's options and turns them into the object that {@link #newLoadBalancer}
   * takes. Called when a configuration is loaded, so that bad options reject the configuration
   * rather than fail calls.
   *
   * @param options plain values (strings, numbers, booleans, lists and maps), possibly empty
   * @throws dev.weft.mesh.api.config.InvalidConfigException naming each bad option by its key
   */
  Object parseOptions(Map<String, Object> options);

  /** A new balancer for one group of endpoints, with options from {@link #parseOptions}. */
  LoadBalancer newLoadBalancer(Object parsedOptions, LoadBalancerContext context);
}
