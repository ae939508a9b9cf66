package dev.weft.mesh.xds.internal.client;

import dev.weft.mesh.api.runtime.Scheduler;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** Timers on the client's work thread, when no scheduler is injected. */
final class WorkScheduler implements Scheduler {
  private final ScheduledExecutorService executor;

  WorkScheduler(ScheduledExecutorService executor) {
    this.executor = executor;
  }

  @Override
  public Cancellable schedule(Runnable task, long delayNanos) {
    try {
      ScheduledFuture<?> f = executor.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
      return () -> f.cancel(false);
    } catch (RejectedExecutionException e) {
      // Closed: the task would have found the client closed anyway.
      return () -> {};
    }
  }

  @Override
  public Cancellable scheduleAtFixedRate(Runnable task, long periodNanos) {
    ScheduledFuture<?> f = executor.scheduleAtFixedRate(task, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    return () -> f.cancel(false);
  }
}
