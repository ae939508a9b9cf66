package dev.weft.chaos;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What the calls intended to start during one phase did: counts, failures by reason, the latency of
 * successful calls from their intended send time (HdrHistogram), and per-window latency of every
 * call (failures at the time they failed) for the recovery measurement.
 */
final class PhaseStats {
  static final long WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
  private static final long HIGHEST = TimeUnit.SECONDS.toNanos(60);

  final Schedule.Phase phase;
  final long startNanos;
  final ConcurrentHistogram latency = new ConcurrentHistogram(HIGHEST, 3);
  final AtomicLong calls = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  final AtomicLong completed = new AtomicLong();
  private final Map<String, LongAdder> reasons = new ConcurrentHashMap<>();
  private final Map<String, String> samples = new ConcurrentHashMap<>();
  private final Histogram[] windows;

  /** The call kinds the load cycles through, for the per-path windows. */
  static final List<String> PATHS = List.of("unary", "stream", "http");

  /** Per path (index in {@link #PATHS}), the same windows as {@link #windows}. */
  private final Histogram[][] pathWindows;

  PhaseStats(Schedule.Phase phase, long startNanos) {
    this.phase = phase;
    this.startNanos = startNanos;
    int n = (int) (phase.duration().toNanos() / WINDOW_NANOS) + 1;
    windows = new Histogram[n];
    for (int i = 0; i < n; i++) {
      windows[i] = new ConcurrentHistogram(HIGHEST, 2);
    }
    pathWindows = new Histogram[PATHS.size()][n];
    for (Histogram[] w : pathWindows) {
      for (int i = 0; i < n; i++) {
        w[i] = new ConcurrentHistogram(HIGHEST, 2);
      }
    }
  }

  void sent() {
    calls.incrementAndGet();
  }

  void succeeded(int path, long intendedNanos, long tookNanos) {
    latency.recordValue(Math.min(tookNanos, HIGHEST));
    window(path, intendedNanos, tookNanos);
    completed.incrementAndGet();
  }

  void failed(int path, long intendedNanos, long tookNanos, String reason, String sample) {
    failed.incrementAndGet();
    reasons.computeIfAbsent(reason, r -> new LongAdder()).increment();
    samples.putIfAbsent(reason, sample);
    window(path, intendedNanos, tookNanos);
    completed.incrementAndGet();
  }

  private void window(int path, long intendedNanos, long tookNanos) {
    int i = (int) ((intendedNanos - startNanos) / WINDOW_NANOS);
    if (i >= 0 && i < windows.length) {
      windows[i].recordValue(Math.min(tookNanos, HIGHEST));
      if (path >= 0 && path < pathWindows.length) {
        pathWindows[path][i].recordValue(Math.min(tookNanos, HIGHEST));
      }
    }
  }

  /**
   * The latencies of the calls of {@code path} (index in {@link #PATHS}) intended from {@code
   * fromNanos} to {@code toNanos}, failures included at the time they failed, by whole window.
   */
  Histogram pathBetween(int path, long fromNanos, long toNanos) {
    Histogram h = new Histogram(HIGHEST, 2);
    int from = (int) Math.max(0, (fromNanos - startNanos + WINDOW_NANOS - 1) / WINDOW_NANOS);
    int to = (int) Math.min(windows.length, (toNanos - startNanos) / WINDOW_NANOS);
    for (int i = from; i < to; i++) {
      h.add(pathWindows[path][i]);
    }
    return h;
  }

  Map<String, Long> reasons() {
    Map<String, Long> out = new TreeMap<>();
    reasons.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  Map<String, String> samples() {
    return new TreeMap<>(samples);
  }

  /** p99 of the calls intended in window {@code i}, in ns; -1 when none. */
  long windowP99(int i) {
    Histogram h = windows[i];
    return h.getTotalCount() == 0 ? -1 : h.getValueAtPercentile(99);
  }

  Histogram window(int i) {
    return windows[i];
  }

  int windowCount() {
    return windows.length;
  }

  double percentileMillis(double p) {
    return latency.getTotalCount() == 0 ? Double.NaN : latency.getValueAtPercentile(p) / 1e6;
  }
}
