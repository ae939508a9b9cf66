package dev.weft.mesh.core;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.config.ConfigViolation;
import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.spi.LoadBalancerContext;
import dev.weft.mesh.api.spi.LoadBalancerProvider;
import dev.weft.mesh.core.internal.lb.ClusterBalancer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The load-balancing policies known to the mesh, by name. Among providers of one name the one with
 * the highest {@link LoadBalancerProvider#priority()} wins (the first found on a tie), so a
 * provider on the class path can replace a built-in policy.
 *
 * <p>Immutable and thread-safe.
 */
public final class LoadBalancerRegistry {
  private static final Logger log = LoggerFactory.getLogger(LoadBalancerRegistry.class);

  private final Map<String, LoadBalancerProvider> providers;

  private LoadBalancerRegistry(Map<String, LoadBalancerProvider> providers) {
    this.providers = Collections.unmodifiableMap(providers);
  }

  /**
   * The providers registered with {@link ServiceLoader} on the class path of this library, found
   * once and cached. A provider that fails to load is logged and skipped.
   */
  public static LoadBalancerRegistry getDefault() {
    return DefaultHolder.INSTANCE;
  }

  /** A registry of exactly these providers (for tests and for embedding without ServiceLoader). */
  public static LoadBalancerRegistry of(LoadBalancerProvider... providers) {
    return of(List.of(providers));
  }

  /** A registry of exactly these providers. */
  public static LoadBalancerRegistry of(Iterable<? extends LoadBalancerProvider> providers) {
    Map<String, LoadBalancerProvider> byName = new TreeMap<>();
    for (LoadBalancerProvider p : providers) {
      requireNonNull(p, "provider");
      String name = requireNonNull(p.policyName(), "policyName of " + p.getClass().getName());
      LoadBalancerProvider existing = byName.get(name);
      if (existing == null || p.priority() > existing.priority()) {
        byName.put(name, p);
      }
    }
    return new LoadBalancerRegistry(byName);
  }

  /** The provider of the named policy, or null when no provider has that name. */
  public LoadBalancerProvider provider(String policyName) {
    return providers.get(requireNonNull(policyName, "policyName"));
  }

  /** The names of all known policies, sorted. */
  public Set<String> policies() {
    return providers.keySet();
  }

  /**
   * The problems with a load-balancing configuration that depend on the known policies: an unknown
   * {@code policy} (the message lists the known ones) and bad {@code options.<key>} values as the
   * policy's provider reports them. Paths are relative to the {@link LoadBalancing}. Empty when the
   * configuration is usable.
   */
  public List<ConfigViolation> validate(LoadBalancing lb) {
    requireNonNull(lb, "lb");
    LoadBalancerProvider provider = providers.get(lb.policy());
    if (provider == null) {
      return List.of(
          ConfigViolation.of(
              "policy",
              "unknown load-balancing policy '"
                  + lb.policy()
                  + "'; known policies: "
                  + String.join(", ", policies())));
    }
    try {
      provider.parseOptions(lb.options());
      return List.of();
    } catch (InvalidConfigException e) {
      List<ConfigViolation> violations = new ArrayList<>(e.violations().size());
      for (ConfigViolation v : e.violations()) {
        boolean underOptions = v.path().equals("options") || v.path().startsWith("options.");
        violations.add(underOptions ? v : v.under("options"));
      }
      return violations;
    } catch (RuntimeException e) {
      return List.of(
          ConfigViolation.of(
              "options",
              "policy '"
                  + lb.policy()
                  + "' rejected its options: "
                  + e.getClass().getSimpleName()
                  + ": "
                  + e.getMessage()));
    }
  }

  /**
   * A balancer for one cluster (or subset) with the policy that {@code lb} names.
   *
   * @throws InvalidConfigException if {@link #validate} finds a problem with {@code lb}
   */
  ClusterBalancer newClusterBalancer(LoadBalancing lb, LoadBalancerContext context) {
    List<ConfigViolation> violations = validate(lb);
    if (!violations.isEmpty()) {
      throw new InvalidConfigException(violations);
    }
    LoadBalancerProvider provider = providers.get(lb.policy());
    return new ClusterBalancer(lb, provider, provider.parseOptions(lb.options()), context);
  }

  @Override
  public String toString() {
    return "LoadBalancerRegistry" + providers.keySet();
  }

  private static final class DefaultHolder {
    static final LoadBalancerRegistry INSTANCE = load();

    private static LoadBalancerRegistry load() {
      List<LoadBalancerProvider> found = new ArrayList<>();
      ServiceLoader<LoadBalancerProvider> loader =
          ServiceLoader.load(
              LoadBalancerProvider.class, LoadBalancerRegistry.class.getClassLoader());
      Iterator<LoadBalancerProvider> it = loader.iterator();
      // Bounded, in case a broken class path makes the iterator fail on every call.
      for (int errors = 0; errors < 100; ) {
        try {
          if (!it.hasNext()) {
            break;
          }
          found.add(it.next());
        } catch (ServiceConfigurationError e) {
          errors++;
          log.warn("Skipping a load-balancing policy provider that failed to load", e);
        }
      }
      LoadBalancerRegistry registry = of(found);
      log.debug("Load-balancing policies: {}", registry.policies());
      return registry;
    }
  }
}
