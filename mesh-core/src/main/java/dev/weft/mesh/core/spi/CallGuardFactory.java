package dev.weft.mesh.core.spi;

import dev.weft.mesh.api.config.Resilience4jInstances;

/**
 * Makes the {@link CallGuard}s of a configuration from the instances its routes and clusters name
 * ({@code resilience4j: {circuitBreaker: ..., bulkhead: ...}}). Given to the mesh with {@code
 * Mesh.Builder.callGuards}; the {@code mesh-resilience4j} module's {@code Resilience4jCallGuards}
 * resolves the names against the application's Resilience4j registries.
 *
 * <p>Threading: called on the control path while a configuration is compiled, never concurrently
 * with itself, and never on the call path.
 */
@FunctionalInterface
public interface CallGuardFactory {

  /**
   * The guard for the calls of one route or cluster.
   *
   * @param owner what names the instances, for errors: {@code route 'r' of service 's'} or {@code
   *     cluster 'c'}
   * @param instances the names, at least one of them not empty
   * @return the guard; it may be shared by several routes and clusters that name the same instances
   * @throws IllegalArgumentException when a name cannot be resolved or its instance cannot guard
   *     mesh calls; the message says which name, of what, and why. The mesh then rejects the whole
   *     configuration and keeps the one in force.
   */
  CallGuard create(String owner, Resilience4jInstances instances);
}
