package dev.weft.mesh.core;

import dev.weft.mesh.core.internal.health.ClusterLimits;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * One of a cluster's concurrent retries (circuit breakers' {@code maxRetries}), held by a retry or
 * hedge from the moment the budget grants it until the attempt ends. Release-once: the first {@link
 * #release()} gives it back, later ones do nothing, so every exit path may release it without
 * counting who did already. Lock-free.
 */
final class RetryPermit {
  /** What a first attempt carries: it holds no permit, and releasing it does nothing. */
  static final RetryPermit NONE = new RetryPermit(null);

  private static final AtomicIntegerFieldUpdater<RetryPermit> RELEASED =
      AtomicIntegerFieldUpdater.newUpdater(RetryPermit.class, "released");

  private final ClusterLimits limits;
  private volatile int released;

  private RetryPermit(ClusterLimits limits) {
    this.limits = limits;
  }

  /** Takes a permit from {@code limits}, or returns null when all are in use. */
  static RetryPermit tryAcquire(ClusterLimits limits) {
    return limits.tryAcquireRetry() ? new RetryPermit(limits) : null;
  }

  /** Gives the permit back the first time; does nothing after that. */
  void release() {
    if (limits != null && RELEASED.compareAndSet(this, 0, 1)) {
      limits.releaseRetry();
    }
  }
}
