package dev.weft.mesh.core;

import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.SlowStart;
import dev.weft.mesh.api.runtime.Nanos;
import dev.weft.mesh.api.runtime.Ticker;
import dev.weft.mesh.api.spi.LbEndpoint;
import dev.weft.mesh.core.internal.health.OutcomeClass;
import dev.weft.mesh.core.internal.health.OutlierTracker;
import dev.weft.mesh.core.internal.lb.PeakEwma;
import dev.weft.mesh.core.internal.lb.SlowStartWeights;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live state of one endpoint of one cluster. It outlives configuration updates for as long as
 * the endpoint's address stays in the cluster, so that latency estimates, active counts and
 * ejections carry over.
 *
 * <p>Call-path methods ({@link #onAttemptStart}, {@link #onAttemptEnd}, the {@link LbEndpoint}
 * getters) take no lock. Configuration fields are written by the control thread only.
 */
final class EndpointState implements LbEndpoint {
  private static final int SLOW_START_SCALE = 100;
  private final String address;
  private final AtomicInteger active = new AtomicInteger();
  private final PeakEwma latency;
  private final long addedAtNanos;
  private final Ticker ticker;
  private volatile Endpoint endpoint;
  private volatile OutlierTracker outlier;
  private volatile int weight;

  EndpointState(Endpoint endpoint, Ticker ticker, PeakEwma latency) {
    this.address = endpoint.address();
    this.endpoint = endpoint;
    this.ticker = ticker;
    this.addedAtNanos = ticker.nanoTime();
    this.latency = latency;
    this.weight = endpoint.weight();
  }

  String address() {
    return address;
  }

  @Override
  public Endpoint endpoint() {
    return endpoint;
  }

  @Override
  public int weight() {
    return weight;
  }

  @Override
  public int activeRequests() {
    return active.get();
  }

  @Override
  public double peakEwmaNanos() {
    return latency.get(ticker.nanoTime());
  }

  /**
   * Whether calls may go to this endpoint outside panic mode: healthy at the source and not
   * ejected.
   */
  boolean usable() {
    OutlierTracker t = outlier;
    return endpoint.health().isServing() && (t == null || !t.ejected());
  }

  boolean ejected() {
    OutlierTracker t = outlier;
    return t != null && t.ejected();
  }

  OutlierTracker outlierTracker() {
    return outlier;
  }

  void outlierTracker(OutlierTracker tracker) {
    this.outlier = tracker;
  }

  /** Applies a new configuration of the same address. */
  void endpoint(Endpoint updated) {
    this.endpoint = updated;
  }

  /** Recomputes the slow-start weight; returns whether it changed (so balancers need an update). */
  boolean refreshWeight(SlowStart slowStart, long nowNanos) {
    Endpoint e = endpoint;
    // Under slow start weights are scaled up so that even a weight of 1 can ramp (only ratios
    // matter).
    int w =
        slowStart.enabled()
            ? SlowStartWeights.effectiveWeight(
                e.weight() * SLOW_START_SCALE, slowStart, nowNanos - addedAtNanos)
            : e.weight();
    if (w != weight) {
      weight = w;
      return true;
    }
    return false;
  }

  boolean inSlowStart(SlowStart slowStart, long nowNanos) {
    return slowStart.enabled() && nowNanos - addedAtNanos < Nanos.of(slowStart.window());
  }

  void onAttemptStart() {
    active.incrementAndGet();
  }

  /** Records an attempt's end: its latency (unless it was cancelled) and its health signal. */
  void onAttemptEnd(long latencyNanos, long nowNanos, OutcomeClass outcome) {
    active.decrementAndGet();
    if (outcome != OutcomeClass.LOCAL) {
      latency.observe(latencyNanos, nowNanos);
      OutlierTracker t = outlier;
      if (t != null) {
        t.record(outcome);
      }
    }
  }

  @Override
  public String toString() {
    return address;
  }
}
