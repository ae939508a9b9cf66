package dev.weft.mesh.api.runtime;

/**
 * The mesh's source of time. Everything in the engine that depends on time (timeouts, backoff, EWMA
 * decay, ejection, budgets, rate limits) reads it from here, so tests can drive time with {@link
 * dev.weft.mesh.testing.FakeTicker} instead of sleeping.
 */
public interface Ticker {

  /** Monotonic nanoseconds, for durations only (like {@link System#nanoTime()}). */
  long nanoTime();

  /** Wall-clock milliseconds since the epoch, for timestamps shown to people. */
  long currentTimeMillis();

  /** The system clock. */
  static Ticker system() {
    return SystemTicker.INSTANCE;
  }
}
