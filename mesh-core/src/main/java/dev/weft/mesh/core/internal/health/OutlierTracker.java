package dev.weft.mesh.core.internal.health;

import dev.weft.mesh.api.config.OutlierDetection;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The outlier-detection state of one endpoint, created by {@link OutlierDetector#newTracker}. The
 * engine calls {@link #record(OutcomeClass)} when an attempt on the endpoint ends and reads {@link
 * #ejected()} when it builds a picker.
 *
 * <p>Counting follows Envoy: {@link OutcomeClass#FAILURE} and {@link OutcomeClass#GATEWAY_FAILURE}
 * are failures and count toward {@code consecutiveFailures}; a gateway failure also counts toward
 * {@code consecutiveGatewayFailures}, which any other outcome except {@link OutcomeClass#LOCAL}
 * resets; a success resets both; {@link OutcomeClass#LOCAL} is not counted at all. When a count
 * reaches its threshold the count starts again from zero and the detector is asked to eject the
 * endpoint at once, on the recording thread. Successes and failures are also counted per interval
 * (only when success-rate or failure-percentage ejection is enabled) for {@link
 * OutlierDetector#runInterval()}.
 *
 * <p>Threading: {@link #record} and {@link #ejected()} are for the call path: any thread,
 * lock-free, never blocking, not allocating (except on the rare call that ejects the endpoint,
 * which builds one small state object and calls the {@link EjectionListener}). The other accessors
 * are for config dumps and metrics and may be called from any thread. All state changes are
 * compare-and-set transitions on one immutable state, so the detector's scheduler thread and
 * recording threads never lose each other's changes.
 */
public final class OutlierTracker {
  private static final long SUCCESS_UNIT = 1L << 32;
  private static final long FAILURE_MASK = 0xFFFF_FFFFL;

  private final OutlierDetector detector;
  private final String address;

  /** Successes in the high 32 bits, failures in the low 32 bits, of the interval in progress. */
  private final AtomicLong intervalCounts = new AtomicLong();

  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  private final AtomicInteger consecutiveGatewayFailures = new AtomicInteger();
  private final AtomicReference<State> state = new AtomicReference<>(State.INITIAL);
  // Written only by OutlierDetector.runInterval(), read there and by dumps.
  private volatile long lastIntervalSuccesses;
  private volatile long lastIntervalFailures;

  OutlierTracker(OutlierDetector detector, String address) {
    this.detector = detector;
    this.address = address;
  }

  /** Records the outcome of one attempt on this endpoint. Lock-free; see the class comment. */
  public void record(OutcomeClass outcome) {
    OutlierDetection config = detector.config();
    if (!config.enabled() || outcome == OutcomeClass.LOCAL) {
      return;
    }
    boolean countInterval = config.successRate().enabled() || config.failurePercentage().enabled();
    if (outcome == OutcomeClass.SUCCESS) {
      if (countInterval) {
        intervalCounts.getAndAdd(SUCCESS_UNIT);
      }
      // Reading first keeps a steady stream of successes from writing to a shared cache line.
      if (consecutiveFailures.get() != 0) {
        consecutiveFailures.set(0);
      }
      if (consecutiveGatewayFailures.get() != 0) {
        consecutiveGatewayFailures.set(0);
      }
      return;
    }
    if (countInterval) {
      intervalCounts.getAndIncrement();
    }
    boolean thresholdReached = false;
    if (outcome == OutcomeClass.GATEWAY_FAILURE) {
      thresholdReached = countUp(consecutiveGatewayFailures, config.consecutiveGatewayFailures());
    } else if (consecutiveGatewayFailures.get() != 0) {
      consecutiveGatewayFailures.set(0);
    }
    thresholdReached |= countUp(consecutiveFailures, config.consecutiveFailures());
    if (thresholdReached) {
      detector.ejectForConsecutiveFailures(this);
    }
  }

  /**
   * Counts one more failure in a row; true when this call reached the threshold (0 disables), in
   * which case the count starts again from zero. Of several threads that pass the threshold at once
   * exactly one wins the reset and reports it.
   */
  private static boolean countUp(AtomicInteger count, int threshold) {
    int n = count.incrementAndGet();
    return threshold > 0 && n >= threshold && count.compareAndSet(n, 0);
  }

  /** Whether the endpoint is ejected now: a single volatile read, for the call path. */
  public boolean ejected() {
    return state.get().ejected;
  }

  /** The endpoint's address, as given to {@link OutlierDetector#newTracker}. */
  public String address() {
    return address;
  }

  /** How many times the endpoint has been ejected since the tracker was created. */
  public int ejectionCount() {
    return state.get().ejectionCount;
  }

  /**
   * The current ejection-time multiplier: the next ejection lasts {@code baseEjectionTime} times
   * one more than this (capped). It grows with each ejection and shrinks by one for each interval
   * the endpoint stays in service.
   */
  public int ejectionMultiplier() {
    return state.get().multiplier;
  }

  /**
   * When the current ejection ends, in {@link dev.weft.mesh.api.runtime.Ticker#nanoTime()} units;
   * the endpoint returns at the first {@link OutlierDetector#runInterval()} at or after this time.
   * Meaningful only while {@link #ejected()}.
   */
  public long ejectedUntilNanos() {
    State s = state.get();
    return s.ejectedAtNanos + s.durationNanos;
  }

  /** When the current ejection ends, on the wall clock, for people; empty when not ejected. */
  public Optional<Instant> ejectedUntil() {
    State s = state.get();
    if (!s.ejected) {
      return Optional.empty();
    }
    long remainingNanos = s.durationNanos - (detector.ticker().nanoTime() - s.ejectedAtNanos);
    return Optional.of(
        Instant.ofEpochMilli(detector.ticker().currentTimeMillis()).plusNanos(remainingNanos));
  }

  /** Successes counted in the last interval that {@link OutlierDetector#runInterval()} closed. */
  public long lastIntervalSuccesses() {
    return lastIntervalSuccesses;
  }

  /** Failures counted in the last interval that {@link OutlierDetector#runInterval()} closed. */
  public long lastIntervalFailures() {
    return lastIntervalFailures;
  }

  /** Failures in a row so far (gateway failures included). */
  public int consecutiveFailures() {
    return consecutiveFailures.get();
  }

  /** Gateway failures in a row so far. */
  public int consecutiveGatewayFailures() {
    return consecutiveGatewayFailures.get();
  }

  @Override
  public String toString() {
    State s = state.get();
    return "OutlierTracker{"
        + address
        + (s.ejected ? ", ejected" : "")
        + ", ejections="
        + s.ejectionCount
        + ", multiplier="
        + s.multiplier
        + "}";
  }

  // ---- transitions, called by the detector ----

  /** Closes the interval in progress: its counts become the "last interval" counts. */
  void closeInterval() {
    long counts = intervalCounts.getAndSet(0);
    lastIntervalSuccesses = counts >>> 32;
    lastIntervalFailures = counts & FAILURE_MASK;
  }

  long lastIntervalVolume() {
    return lastIntervalSuccesses + lastIntervalFailures;
  }

  /**
   * Ejects the endpoint unless it is ejected or removed already. The multiplier grows by one, up to
   * {@code maxMultiplier}, and the ejection lasts {@code min(baseNanos * multiplier, capNanos)}.
   */
  boolean eject(long nowNanos, long baseNanos, long capNanos, int maxMultiplier) {
    for (; ; ) {
      State s = state.get();
      if (s.ejected || s.removed) {
        return false;
      }
      int multiplier = Math.min(s.multiplier + 1, Math.max(maxMultiplier, 1));
      long duration =
          multiplier > capNanos / baseNanos ? capNanos : Math.min(baseNanos * multiplier, capNanos);
      State next =
          new State(
              true, false, nowNanos, duration, multiplier, s.ejectionCount + 1, s.unejectedInRun);
      if (state.compareAndSet(s, next)) {
        return true;
      }
    }
  }

  /** Returns the endpoint to service if its ejection has run its time; true if it did. */
  boolean unejectIfExpired(long nowNanos, long run) {
    for (; ; ) {
      State s = state.get();
      if (!s.ejected || nowNanos - s.ejectedAtNanos < s.durationNanos) {
        return false;
      }
      if (state.compareAndSet(s, s.unejected(run, s.multiplier))) {
        // As Envoy does: a fresh start, so that a few failures right after returning do not eject
        // the endpoint again because an old count was close to its threshold.
        consecutiveFailures.set(0);
        consecutiveGatewayFailures.set(0);
        return true;
      }
    }
  }

  /**
   * Lowers the multiplier by one if the endpoint stayed in service for the whole interval that run
   * {@code run} closes (it is not ejected now and did not return during this run).
   */
  void decayMultiplier(long run) {
    for (; ; ) {
      State s = state.get();
      if (s.ejected || s.removed || s.multiplier == 0 || s.unejectedInRun == run) {
        return;
      }
      State next =
          new State(
              false,
              false,
              s.ejectedAtNanos,
              s.durationNanos,
              s.multiplier - 1,
              s.ejectionCount,
              s.unejectedInRun);
      if (state.compareAndSet(s, next)) {
        return;
      }
    }
  }

  /** Returns the endpoint to service and forgets its history; true if it was ejected. */
  boolean reset(long run) {
    for (; ; ) {
      State s = state.get();
      if (s.removed) {
        return false;
      }
      if (state.compareAndSet(s, s.unejected(run, 0))) {
        consecutiveFailures.set(0);
        consecutiveGatewayFailures.set(0);
        intervalCounts.set(0);
        return s.ejected;
      }
    }
  }

  /** Marks the tracker removed, so it is never ejected again; true if it was ejected. */
  boolean markRemoved() {
    for (; ; ) {
      State s = state.get();
      if (s.removed) {
        return false;
      }
      State next =
          new State(
              false,
              true,
              s.ejectedAtNanos,
              s.durationNanos,
              s.multiplier,
              s.ejectionCount,
              s.unejectedInRun);
      if (state.compareAndSet(s, next)) {
        return s.ejected;
      }
    }
  }

  OutlierDetector detector() {
    return detector;
  }

  /**
   * An immutable snapshot of the ejection state; every change is a compare-and-set of a new one.
   */
  private static final class State {
    static final State INITIAL = new State(false, false, 0, 0, 0, 0, -1);

    final boolean ejected;
    final boolean removed;
    final long ejectedAtNanos;
    final long durationNanos;
    final int multiplier;
    final int ejectionCount;

    /** The detector run that last returned the endpoint to service. */
    final long unejectedInRun;

    State(
        boolean ejected,
        boolean removed,
        long ejectedAtNanos,
        long durationNanos,
        int multiplier,
        int ejectionCount,
        long unejectedInRun) {
      this.ejected = ejected;
      this.removed = removed;
      this.ejectedAtNanos = ejectedAtNanos;
      this.durationNanos = durationNanos;
      this.multiplier = multiplier;
      this.ejectionCount = ejectionCount;
      this.unejectedInRun = unejectedInRun;
    }

    State unejected(long run, int multiplier) {
      return new State(
          false,
          false,
          ejectedAtNanos,
          durationNanos,
          multiplier,
          ejectionCount,
          ejected ? run : unejectedInRun);
    }
  }
}
