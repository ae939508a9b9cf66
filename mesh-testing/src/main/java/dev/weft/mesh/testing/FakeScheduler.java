package dev.weft.mesh.testing;

import dev.weft.mesh.api.runtime.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A {@link Scheduler} driven by a {@link FakeTicker}: tasks run only when the test moves time
 * forward with {@link #advance(Duration)} (or calls {@link #runDueTasks()}), on the test's thread.
 * Thread-safe, so code under test may schedule from other threads.
 */
public final class FakeScheduler implements Scheduler {
  private final FakeTicker ticker;
  private final PriorityQueue<Task> queue = new PriorityQueue<>();
  private long sequence;

  public FakeScheduler(FakeTicker ticker) {
    this.ticker = ticker;
  }

  public FakeTicker ticker() {
    return ticker;
  }

  @Override
  public synchronized Cancellable schedule(Runnable task, long delayNanos) {
    Task t = new Task(ticker.nanoTime() + Math.max(0, delayNanos), 0, task, sequence++);
    queue.add(t);
    return t::cancel;
  }

  @Override
  public synchronized Cancellable scheduleAtFixedRate(Runnable task, long periodNanos) {
    if (periodNanos <= 0) {
      throw new IllegalArgumentException("period must be positive");
    }
    Task t = new Task(ticker.nanoTime() + periodNanos, periodNanos, task, sequence++);
    queue.add(t);
    return t::cancel;
  }

  /** Moves time forward in steps, running each task when its time comes. Returns tasks run. */
  public int advance(Duration d) {
    long target = ticker.nanoTime() + d.toNanos();
    int ran = 0;
    while (true) {
      Task next;
      synchronized (this) {
        next = queue.peek();
        if (next == null || next.dueNanos > target) {
          break;
        }
        queue.poll();
      }
      if (next.dueNanos > ticker.nanoTime()) {
        ticker.advanceNanos(next.dueNanos - ticker.nanoTime());
      }
      ran += runOne(next);
    }
    if (target > ticker.nanoTime()) {
      ticker.advanceNanos(target - ticker.nanoTime());
    }
    return ran;
  }

  /** Runs every task that is due now, without moving time. Returns how many ran. */
  public int runDueTasks() {
    return advance(Duration.ZERO);
  }

  /** Tasks waiting to run (cancelled ones excluded). */
  public synchronized int pendingTasks() {
    int n = 0;
    for (Task t : queue) {
      if (!t.cancelled) {
        n++;
      }
    }
    return n;
  }

  /** Descriptions of the due times of pending tasks, for assertions and debugging. */
  public synchronized List<Long> pendingDueTimes() {
    List<Long> out = new ArrayList<>();
    for (Task t : queue) {
      if (!t.cancelled) {
        out.add(t.dueNanos);
      }
    }
    out.sort(null);
    return out;
  }

  private int runOne(Task t) {
    if (t.cancelled) {
      return 0;
    }
    t.runnable.run();
    if (t.periodNanos > 0 && !t.cancelled) {
      synchronized (this) {
        t.dueNanos += t.periodNanos;
        queue.add(t);
      }
    }
    return 1;
  }

  private static final class Task implements Comparable<Task> {
    long dueNanos;
    final long periodNanos;
    final Runnable runnable;
    final long seq;
    volatile boolean cancelled;

    Task(long dueNanos, long periodNanos, Runnable runnable, long seq) {
      this.dueNanos = dueNanos;
      this.periodNanos = periodNanos;
      this.runnable = runnable;
      this.seq = seq;
    }

    void cancel() {
      cancelled = true;
    }

    @Override
    public int compareTo(Task o) {
      int c = Long.compare(dueNanos, o.dueNanos);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }
}
