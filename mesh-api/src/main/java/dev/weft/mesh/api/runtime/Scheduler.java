package dev.weft.mesh.api.runtime;

/**
 * Runs the engine's delayed work: hedge delays, retry backoff, fault delays, outlier-detection
 * intervals. Injectable so that tests drive it with fake time ({@link
 * dev.weft.mesh.testing.FakeScheduler}).
 *
 * <p>Tasks must be short and must not block.
 */
public interface Scheduler {

  /** Runs {@code task} once after {@code delayNanos} (at once when zero or less). */
  Cancellable schedule(Runnable task, long delayNanos);

  /** Runs {@code task} every {@code periodNanos}, first after one period. */
  Cancellable scheduleAtFixedRate(Runnable task, long periodNanos);

  /** A scheduled task that may be cancelled. */
  @FunctionalInterface
  interface Cancellable {
    /** Cancels the task if it has not run. Idempotent. */
    void cancel();
  }
}
