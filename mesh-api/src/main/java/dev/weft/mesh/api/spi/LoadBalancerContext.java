package dev.weft.mesh.api.spi;

import dev.weft.mesh.api.runtime.RandomSource;

/** What a load balancer may use from the mesh that owns it. */
public interface LoadBalancerContext {

  /** The name of the cluster (and subset, if any) being balanced, for logs. */
  String target();

  /** Monotonic time in nanoseconds; tests supply a fake one. */
  long nanoTime();

  /** Randomness for picks; thread-safe; seeded in tests. */
  RandomSource random();
}
