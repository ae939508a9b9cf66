package dev.weft.mesh.core;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.runtime.Scheduler;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production {@link Scheduler}: one daemon thread that runs delayed, periodic and immediate
 * tasks one at a time, in order. A task that throws is logged and never stops the thread or a
 * periodic task's later runs. For the mesh's own timers, a config source's work and file watches
 * when the user gives no scheduler of their own.
 *
 * <p>After {@link #close()}, {@link #schedule} and {@link #scheduleAtFixedRate} drop their task
 * (whatever owned the scheduler is closed too), and {@link #execute} throws {@link
 * RejectedExecutionException} as the {@link Executor} contract says.
 */
public final class DaemonScheduler implements Scheduler, Executor, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DaemonScheduler.class);
  private static final Cancellable DROPPED = () -> {};

  private final ScheduledThreadPoolExecutor executor;

  /** Starts the scheduler's thread, named {@code threadName}. */
  public DaemonScheduler(String threadName) {
    requireNonNull(threadName, "threadName");
    executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              return t;
            });
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  @Override
  public Cancellable schedule(Runnable task, long delayNanos) {
    try {
      ScheduledFuture<?> f =
          executor.schedule(guard(task), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
      return () -> f.cancel(false);
    } catch (RejectedExecutionException closed) {
      return DROPPED;
    }
  }

  @Override
  public Cancellable scheduleAtFixedRate(Runnable task, long periodNanos) {
    try {
      ScheduledFuture<?> f =
          executor.scheduleAtFixedRate(guard(task), periodNanos, periodNanos, TimeUnit.NANOSECONDS);
      return () -> f.cancel(false);
    } catch (RejectedExecutionException closed) {
      return DROPPED;
    }
  }

  /** Runs {@code task} on the scheduler's thread after the tasks already due. */
  @Override
  public void execute(Runnable task) {
    executor.execute(guard(task));
  }

  private static Runnable guard(Runnable task) {
    requireNonNull(task, "task");
    return () -> {
      try {
        task.run();
      } catch (RuntimeException | Error e) {
        log.warn("a scheduled task failed", e);
      }
    };
  }

  /** Stops the thread; tasks not yet run are dropped, a running one is interrupted. Idempotent. */
  @Override
  public void close() {
    executor.shutdownNow();
  }

  /** Waits up to {@code timeout} for the thread to end after {@link #close()}; true when it has. */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    return executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
