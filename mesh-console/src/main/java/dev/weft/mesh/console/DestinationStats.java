package dev.weft.mesh.console;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The golden metrics of one route destination over a sliding window of one-second buckets: calls
 * and their successes (retries included, as the caller saw them), attempts and their successes
 * (each try on its own), and a latency histogram of the calls.
 *
 * <p>Recording takes no lock and allocates nothing: it finds the bucket of the current second in a
 * ring, claims it with a compare-and-set when a new second begins, and increments atomic counters.
 * A count that races with the claim of a new second can land in the wrong second or be lost; the
 * console shows rates, not an audit, so that is an accepted error of a few calls per second.
 */
final class DestinationStats {
  private static final int CALLS = 0;
  private static final int CALL_SUCCESSES = 1;
  private static final int ATTEMPTS = 2;
  private static final int ATTEMPT_SUCCESSES = 3;
  private static final int COUNTERS = 4;

  private final Bucket[] ring;
  private final long createdNanos;

  DestinationStats(int windowSeconds, long nowNanos) {
    this.ring = new Bucket[windowSeconds];
    for (int i = 0; i < ring.length; i++) {
      ring[i] = new Bucket();
    }
    this.createdNanos = nowNanos;
  }

  void call(long nowNanos, boolean success, long elapsedNanos) {
    Bucket b = bucket(nowNanos);
    b.counts.incrementAndGet(CALLS);
    if (success) {
      b.counts.incrementAndGet(CALL_SUCCESSES);
    }
    b.latency.incrementAndGet(LatencyHistogram.index(elapsedNanos));
  }

  void attempt(long nowNanos, boolean success) {
    Bucket b = bucket(nowNanos);
    b.counts.incrementAndGet(ATTEMPTS);
    if (success) {
      b.counts.incrementAndGet(ATTEMPT_SUCCESSES);
    }
  }

  private Bucket bucket(long nowNanos) {
    long second = Math.floorDiv(nowNanos, 1_000_000_000L);
    Bucket b = ring[(int) Math.floorMod(second, (long) ring.length)];
    long held = b.second.get();
    if (held != second && held < second && b.second.compareAndSet(held, second)) {
      b.reset();
    }
    return b;
  }

  /** The window's figures as of {@code nowNanos}. */
  Window window(long nowNanos) {
    long second = Math.floorDiv(nowNanos, 1_000_000_000L);
    long oldest = second - ring.length + 1;
    long[] counts = new long[COUNTERS];
    long[] latency = new long[LatencyHistogram.BUCKETS];
    for (Bucket b : ring) {
      long s = b.second.get();
      if (s < oldest || s > second) {
        continue;
      }
      for (int i = 0; i < COUNTERS; i++) {
        counts[i] += b.counts.get(i);
      }
      for (int i = 0; i < latency.length; i++) {
        latency[i] += b.latency.get(i);
      }
    }
    long windowStart = Math.max(createdNanos, oldest * 1_000_000_000L);
    double seconds = Math.max(1.0, (nowNanos - windowStart) / 1e9);
    return new Window(
        counts[CALLS],
        counts[CALL_SUCCESSES],
        counts[ATTEMPTS],
        counts[ATTEMPT_SUCCESSES],
        counts[CALLS] / seconds,
        LatencyHistogram.quantileMillis(latency, 0.50),
        LatencyHistogram.quantileMillis(latency, 0.99));
  }

  /** Whether nothing was recorded in the window ending at {@code nowNanos}. */
  boolean idle(long nowNanos) {
    long second = Math.floorDiv(nowNanos, 1_000_000_000L);
    long oldest = second - ring.length + 1;
    for (Bucket b : ring) {
      if (b.second.get() >= oldest) {
        return false;
      }
    }
    return true;
  }

  /**
   * One window's figures.
   *
   * @param calls calls that ended
   * @param callSuccesses of them, those that succeeded (after retries)
   * @param attempts attempts that ended (first tries, retries, hedges)
   * @param attemptSuccesses of them, those that succeeded
   * @param callsPerSecond calls per second over the window (or the time since the first call, if
   *     shorter)
   * @param p50Millis the calls' median latency, NaN without calls
   * @param p99Millis the calls' 99th percentile latency, NaN without calls
   */
  record Window(
      long calls,
      long callSuccesses,
      long attempts,
      long attemptSuccesses,
      double callsPerSecond,
      double p50Millis,
      double p99Millis) {

    /** Success rate of calls, retries included; NaN without calls. */
    double successRate() {
      return calls == 0 ? Double.NaN : callSuccesses / (double) calls;
    }

    /** Success rate of single attempts, as if nothing were retried; NaN without attempts. */
    double attemptSuccessRate() {
      return attempts == 0 ? Double.NaN : attemptSuccesses / (double) attempts;
    }
  }

  private static final class Bucket {
    final AtomicLong second = new AtomicLong(Long.MIN_VALUE);
    final AtomicLongArray counts = new AtomicLongArray(COUNTERS);
    final AtomicLongArray latency = new AtomicLongArray(LatencyHistogram.BUCKETS);

    void reset() {
      for (int i = 0; i < COUNTERS; i++) {
        counts.set(i, 0);
      }
      for (int i = 0; i < LatencyHistogram.BUCKETS; i++) {
        latency.set(i, 0);
      }
    }
  }
}
