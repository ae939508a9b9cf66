package dev.weft.mesh.core;

import dev.weft.mesh.api.runtime.Scheduler;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The production {@link Scheduler}: one daemon thread; a task that throws is logged, never lost silently. */
final class ExecutorScheduler implements Scheduler, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ExecutorScheduler.class);

  private final ScheduledThreadPoolExecutor executor;

  ExecutorScheduler(String name) {
    AtomicInteger n = new AtomicInteger();
    ThreadFactory factory = r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    executor = new ScheduledThreadPoolExecutor(1, factory);
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  @Override
  public Cancellable schedule(Runnable task, long delayNanos) {
    ScheduledFuture<?> f = executor.schedule(guard(task), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    return () -> f.cancel(false);
  }

  @Override
  public Cancellable scheduleAtFixedRate(Runnable task, long periodNanos) {
    ScheduledFuture<?> f = executor.scheduleAtFixedRate(guard(task), periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    return () -> f.cancel(false);
  }

  private static Runnable guard(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException | Error e) {
        log.warn("scheduled mesh task failed", e);
      }
    };
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }

  boolean awaitTermination(long millis) throws InterruptedException {
    return executor.awaitTermination(millis, TimeUnit.MILLISECONDS);
  }
}
