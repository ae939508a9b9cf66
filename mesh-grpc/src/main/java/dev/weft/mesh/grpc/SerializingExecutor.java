package dev.weft.mesh.grpc;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in order, on a delegate executor, inside a gRPC {@link io.grpc.Context}
 * attached once for each run of queued tasks: how a caller's listener hears one call's events,
 * whichever attempt's thread they come from, in the context the call was made in.
 */
final class SerializingExecutor implements Executor {
  private static final Logger log = LoggerFactory.getLogger(SerializingExecutor.class);

  private final Executor delegate;
  private final io.grpc.Context context;
  private final ArrayDeque<Runnable> queue = new ArrayDeque<>(4);
  private final Runnable drainTask = this::drain;
  private boolean running;

  SerializingExecutor(Executor delegate, io.grpc.Context context) {
    this.delegate = delegate;
    this.context = context;
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
      delegate.execute(drainTask);
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
    io.grpc.Context previous = context.attach();
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
      context.detach(previous);
      if (!done) {
        // An Error escaped a task: let the tasks behind it run elsewhere rather than never.
        boolean more;
        synchronized (queue) {
          running = !queue.isEmpty();
          more = running;
        }
        if (more) {
          try {
            delegate.execute(drainTask);
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
