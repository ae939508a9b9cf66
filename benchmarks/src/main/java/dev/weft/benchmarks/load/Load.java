package dev.weft.benchmarks.load;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/** Open-loop (fixed rate) and closed-loop (N callers) drivers, with process CPU time per phase. */
final class Load {
  private Load() {}

  /** What one phase measured. Latencies only of successful calls. */
  record Phase(
      long ok,
      long failed,
      long wallNanos,
      long cpuNanos,
      long allocatedBytes,
      Latencies latencies) {
    double throughput() {
      return ok * 1e9 / wallNanos;
    }

    double cpuSecondsPer10k() {
      return ok + failed == 0 ? Double.NaN : cpuNanos / 1e9 * 10_000.0 / (ok + failed);
    }
  }

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  /**
   * Bytes allocated so far by each live thread, by thread id; with {@link #allocatedSince}, what
   * all threads allocated over a phase (threads that ended within it are not counted, so phases
   * count their own short-lived threads themselves).
   */
  static Map<Long, Long> allocatedByThread() {
    long[] ids = THREADS.getAllThreadIds();
    long[] bytes = THREADS.getThreadAllocatedBytes(ids);
    Map<Long, Long> m = new HashMap<>(ids.length * 2);
    for (int i = 0; i < ids.length; i++) {
      if (bytes[i] >= 0) {
        m.put(ids[i], bytes[i]);
      }
    }
    return m;
  }

  static long allocatedSince(Map<Long, Long> before) {
    long total = 0;
    for (Map.Entry<Long, Long> e : allocatedByThread().entrySet()) {
      total += e.getValue() - before.getOrDefault(e.getKey(), 0L);
    }
    return total;
  }

  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * Starts calls at a fixed rate for the given time, each timed from its intended start (so a
   * stalled sender does not hide queueing), then waits for stragglers up to {@code drainMillis}.
   */
  static Phase fixedRate(
      Supplier<CompletableFuture<?>> call,
      int ratePerSecond,
      long durationMillis,
      long drainMillis,
      long successWithinNanos)
      throws InterruptedException {
    long period = 1_000_000_000L / ratePerSecond;
    long total = durationMillis * ratePerSecond / 1000;
    Latencies lat = new Latencies((int) total);
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    CountDownLatch done = new CountDownLatch((int) total);
    Map<Long, Long> alloc0 = allocatedByThread();
    long cpu0 = processCpuNanos();
    long start = System.nanoTime();
    for (long i = 0; i < total; i++) {
      long intended = start + i * period;
      long wait;
      while ((wait = intended - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      CompletableFuture<?> f;
      try {
        f = call.get();
      } catch (RuntimeException e) {
        failed.incrementAndGet();
        done.countDown();
        continue;
      }
      f.whenComplete(
          (r, e) -> {
            long took = System.nanoTime() - intended;
            if (e == null && took <= successWithinNanos) {
              ok.incrementAndGet();
              lat.add(took);
            } else {
              failed.incrementAndGet();
            }
            done.countDown();
          });
    }
    done.await(drainMillis, TimeUnit.MILLISECONDS);
    long wall = System.nanoTime() - start;
    long cpu = processCpuNanos() - cpu0;
    long alloc = allocatedSince(alloc0);
    long missing = done.getCount();
    return new Phase(ok.get(), failed.get() + missing, wall, cpu, alloc, lat);
  }

  /**
   * {@code callers} threads each make one call at a time, as fast as they can, for the given time.
   */
  static Phase closedLoop(Supplier<CompletableFuture<?>> call, int callers, long durationMillis)
      throws InterruptedException {
    Latencies lat = new Latencies(1 << 16);
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicLong callerBytes = new AtomicLong();
    Map<Long, Long> alloc0 = allocatedByThread();
    long cpu0 = processCpuNanos();
    long start = System.nanoTime();
    long end = start + durationMillis * 1_000_000L;
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < callers; t++) {
      Thread th =
          new Thread(
              () -> {
                long own0 = THREADS.getCurrentThreadAllocatedBytes();
                while (System.nanoTime() < end) {
                  long s = System.nanoTime();
                  try {
                    call.get().join();
                    lat.add(System.nanoTime() - s);
                    ok.incrementAndGet();
                  } catch (RuntimeException e) {
                    failed.incrementAndGet();
                  }
                }
                callerBytes.addAndGet(THREADS.getCurrentThreadAllocatedBytes() - own0);
              },
              "bench-caller-" + t);
      th.start();
      threads.add(th);
    }
    for (Thread th : threads) {
      th.join();
    }
    long wall = System.nanoTime() - start;
    long cpu = processCpuNanos() - cpu0;
    long alloc = allocatedSince(alloc0) + callerBytes.get();
    return new Phase(ok.get(), failed.get(), wall, cpu, alloc, lat);
  }

  static void gc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
    }
  }
}
