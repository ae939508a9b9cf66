package dev.weft.mesh.console;

import dev.weft.mesh.api.runtime.Ticker;
import dev.weft.mesh.core.spi.CallObserver;
import dev.weft.mesh.core.spi.RouteDestination;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's call observer: golden metrics per route destination (calls per second, success rate
 * with and without retries, p50 and p99), over a sliding window. Recording is lock-free and, once a
 * destination has been seen, allocation-free.
 */
final class GoldenMetrics implements CallObserver {
  private final Ticker ticker;
  private final int windowSeconds;
  private final ConcurrentHashMap<RouteDestination, DestinationStats> stats =
      new ConcurrentHashMap<>();

  GoldenMetrics(Ticker ticker, int windowSeconds) {
    this.ticker = ticker;
    this.windowSeconds = windowSeconds;
  }

  @Override
  public void attemptEnded(RouteDestination destination, boolean success, long latencyNanos) {
    long now = ticker.nanoTime();
    stats(destination, now).attempt(now, success);
  }

  @Override
  public void callEnded(
      RouteDestination destination, boolean success, long elapsedNanos, int attempts) {
    long now = ticker.nanoTime();
    stats(destination, now).call(now, success, elapsedNanos);
  }

  private DestinationStats stats(RouteDestination d, long now) {
    DestinationStats s = stats.get(d);
    if (s == null) {
      s = stats.computeIfAbsent(d, k -> new DestinationStats(windowSeconds, now));
    }
    return s;
  }

  int windowSeconds() {
    return windowSeconds;
  }

  /** The window of {@code d} now, or null if it was never called. */
  DestinationStats.Window window(RouteDestination d) {
    DestinationStats s = stats.get(d);
    return s == null ? null : s.window(ticker.nanoTime());
  }

  /** Every destination with statistics. */
  Set<RouteDestination> destinations() {
    return stats.keySet();
  }

  /**
   * Forgets destinations that the configuration no longer has and that saw no call in the window,
   * so that the map stays as large as the configuration.
   */
  void forgetIdleExcept(Set<RouteDestination> configured) {
    long now = ticker.nanoTime();
    for (Map.Entry<RouteDestination, DestinationStats> e : stats.entrySet()) {
      if (!configured.contains(e.getKey()) && e.getValue().idle(now)) {
        stats.remove(e.getKey(), e.getValue());
      }
    }
  }
}
