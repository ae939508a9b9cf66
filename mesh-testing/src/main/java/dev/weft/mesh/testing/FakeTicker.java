package dev.weft.mesh.testing;

import dev.weft.mesh.api.runtime.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Ticker} that moves only when told to, for tests of time-dependent behaviour.
 * Thread-safe.
 */
public final class FakeTicker implements Ticker {
  private final AtomicLong nanos = new AtomicLong();
  private final long epochMillisAtZero;

  public FakeTicker() {
    this(1_700_000_000_000L);
  }

  public FakeTicker(long epochMillisAtZero) {
    this.epochMillisAtZero = epochMillisAtZero;
  }

  @Override
  public long nanoTime() {
    return nanos.get();
  }

  @Override
  public long currentTimeMillis() {
    return epochMillisAtZero + nanos.get() / 1_000_000L;
  }

  /** Moves time forward. */
  public FakeTicker advance(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("time only moves forward, got " + d);
    }
    nanos.addAndGet(d.toNanos());
    return this;
  }

  public FakeTicker advanceNanos(long n) {
    return advance(Duration.ofNanos(n));
  }

  public FakeTicker advanceMillis(long ms) {
    return advance(Duration.ofMillis(ms));
  }
}
