package dev.weft.mesh.core.internal.lb;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A peak-sensitive moving average of round-trip latency (Finagle's and Linkerd's "peak EWMA"), the
 * latency term of the {@code least_request} cost.
 *
 * <p>A response slower than the current estimate raises the estimate to it at once; a faster one
 * pulls the estimate toward it with weight {@code 1 - exp(-elapsed / decay)}, where elapsed is the
 * time since the previous observation, so the estimate follows unevenly spaced samples as an EWMA
 * with time constant {@code decay}. Between observations the estimate read by {@link #get} decays
 * toward zero with the same time constant (as in Finagle), so an endpoint that stopped getting
 * calls because it looked slow is tried again after a while rather than shunned for ever.
 *
 * <p>Thread-safe without locks: the estimate and its time stamp form one immutable sample that
 * {@link #observe} replaces by compare-and-set (it allocates one small object per observation);
 * {@link #get} is a single volatile read. Times are monotonic nanoseconds from the mesh's ticker; a
 * time earlier than the last observation counts as no time passed.
 */
public final class PeakEwma {
  /** Finagle's and Linkerd's default time constant. */
  public static final Duration DEFAULT_DECAY = Duration.ofSeconds(10);

  private static final Sample NONE = new Sample(0.0, Long.MIN_VALUE);

  private final double decayNanos;
  private final AtomicReference<Sample> sample = new AtomicReference<>(NONE);

  /** An estimator with {@link #DEFAULT_DECAY}. */
  public PeakEwma() {
    this(DEFAULT_DECAY);
  }

  /**
   * An estimator whose memory has time constant {@code decay}: after {@code decay} without
   * observations the estimate falls to about 37% of its value.
   *
   * @throws IllegalArgumentException if {@code decay} is not positive
   */
  public PeakEwma(Duration decay) {
    if (decay.isNegative() || decay.isZero()) {
      throw new IllegalArgumentException("decay must be positive, was " + decay);
    }
    this.decayNanos = decay.toNanos();
  }

  /**
   * Records the round-trip time of a finished call.
   *
   * @param rttNanos the call's latency; negative values count as zero
   * @param nowNanos the time the call finished
   */
  public void observe(long rttNanos, long nowNanos) {
    double rtt = Math.max(0, rttNanos);
    while (true) {
      Sample current = sample.get();
      double next;
      if (current == NONE || rtt > current.estimate) {
        next = rtt;
      } else {
        double w = weightOfPast(current, nowNanos);
        next = current.estimate * w + rtt * (1.0 - w);
      }
      long stamp = current == NONE ? nowNanos : Math.max(nowNanos, current.stampNanos);
      if (sample.compareAndSet(current, new Sample(next, stamp))) {
        return;
      }
    }
  }

  /**
   * The estimate at {@code nowNanos} in nanoseconds: the last computed estimate decayed toward zero
   * for the time since the last observation. Zero before the first observation.
   */
  public double get(long nowNanos) {
    Sample current = sample.get();
    if (current == NONE) {
      return 0.0;
    }
    return current.estimate * weightOfPast(current, nowNanos);
  }

  /** Whether any call has been observed. */
  public boolean hasEstimate() {
    return sample.get() != NONE;
  }

  private double weightOfPast(Sample s, long nowNanos) {
    long elapsed = nowNanos - s.stampNanos;
    return elapsed <= 0 ? 1.0 : Math.exp(-elapsed / decayNanos);
  }

  @Override
  public String toString() {
    Sample s = sample.get();
    return s == NONE ? "PeakEwma{no estimate}" : "PeakEwma{" + (long) s.estimate + "ns}";
  }

  private record Sample(double estimate, long stampNanos) {}
}
