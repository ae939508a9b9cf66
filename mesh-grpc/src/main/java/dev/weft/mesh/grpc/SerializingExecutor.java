package dev.weft.mesh.grpc;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in order, on a delegate executor: how a caller's listener hears one
 * call's events, whichever attempt's thread they come from.
 */
final class SerializingExecutor implements Executor {
  private static final Logger log = LoggerFactory.getLogger(SerializingExecutor.class);

  private final Executor delegate;
  private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
  private boolean running;

  SerializingExecutor(Executor delegate) {
    this.delegate = delegate;
  }

  @Override
  public void execute(Runnable task) {
    synchronized (queue) {
      queue.add(task);
      if (running) {
        return;
      }
      running = true;
    }
    try {
      delegate.execute(this::drain);
    } catch (RejectedExecutionException e) {
      // The caller's executor is gone; run here rather than lose the call's end.
      drain();
    }
  }

  /**
   * Runs {@code task} on this thread, after any tasks queued before it, unless another thread is
   * already running this executor's tasks, in which case that thread runs it, in order.
   */
  void executeHere(Runnable task) {
    synchronized (queue) {
      queue.add(task);
      if (running) {
        return;
      }
      running = true;
    }
    drain();
  }

  private void drain() {
    boolean done = false;
    try {
      while (true) {
        Runnable next;
        synchronized (queue) {
          next = queue.poll();
          if (next == null) {
            running = false;
            done = true;
            return;
          }
        }
        try {
          next.run();
        } catch (RuntimeException e) {
          log.warn("a gRPC call listener threw", e);
        }
      }
    } finally {
      if (!done) {
        // An Error escaped a task: let the tasks behind it run elsewhere rather than never.
        boolean more;
        synchronized (queue) {
          running = !queue.isEmpty();
          more = running;
        }
        if (more) {
          try {
            delegate.execute(this::drain);
          } catch (RejectedExecutionException e) {
            synchronized (queue) {
              running = false;
            }
          }
        }
      }
    }
  }
}
