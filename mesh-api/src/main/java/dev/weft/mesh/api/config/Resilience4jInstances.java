package dev.weft.mesh.api.config;

import dev.weft.mesh.api.internal.Checks;

/**
 * The application's own Resilience4j instances that guard the calls of a route or cluster, by the
 * names they have in the application's registries ({@code
 * resilience4j.circuitbreaker.instances.<name>} and its siblings in Spring Boot). The mesh holds
 * only the names; a {@code CallGuardFactory} given to the mesh (the {@code mesh-resilience4j}
 * module's) resolves them when a configuration is applied. An empty name means none.
 *
 * @param circuitBreaker the circuit breaker consulted before, and told the outcome after, each
 *     call; empty for none
 * @param bulkhead the (semaphore) bulkhead that bounds concurrent calls; empty for none
 * @param rateLimiter the rate limiter each call takes a permission from; empty for none
 */
public record Resilience4jInstances(String circuitBreaker, String bulkhead, String rateLimiter) {
  /** No Resilience4j instance: the default of every route and cluster. */
  public static final Resilience4jInstances NONE = new Resilience4jInstances("", "", "");

  public Resilience4jInstances {
    Checks c = Checks.start();
    instanceName(c, circuitBreaker, "circuitBreaker");
    instanceName(c, bulkhead, "bulkhead");
    instanceName(c, rateLimiter, "rateLimiter");
    c.throwIfAny();
  }

  private static void instanceName(Checks c, String value, String path) {
    if (c.notNull(value, path) && !value.isEmpty()) {
      c.name(value, path);
    }
  }

  /** Whether any instance is named. */
  public boolean any() {
    return !circuitBreaker.isEmpty() || !bulkhead.isEmpty() || !rateLimiter.isEmpty();
  }

  /** The circuit breaker {@code name} alone. */
  public static Resilience4jInstances circuitBreaker(String name) {
    return new Resilience4jInstances(name, "", "");
  }

  /** This with the circuit breaker {@code name}. */
  public Resilience4jInstances withCircuitBreaker(String name) {
    return new Resilience4jInstances(name, bulkhead, rateLimiter);
  }

  /** This with the bulkhead {@code name}. */
  public Resilience4jInstances withBulkhead(String name) {
    return new Resilience4jInstances(circuitBreaker, name, rateLimiter);
  }

  /** This with the rate limiter {@code name}. */
  public Resilience4jInstances withRateLimiter(String name) {
    return new Resilience4jInstances(circuitBreaker, bulkhead, name);
  }
}
