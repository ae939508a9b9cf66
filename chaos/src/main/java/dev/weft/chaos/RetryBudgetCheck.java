package dev.weft.chaos;

/**
 * Whether a cluster's retries and hedges in a phase stayed within the retry budget: {@code percent}
 * of the phase's calls plus {@code minPerSecond} for each second of the phase (Weft's default: 20%
 * plus 10 a second).
 */
record RetryBudgetCheck(double percent, double minPerSecond) {
  static final RetryBudgetCheck DEFAULT = new RetryBudgetCheck(20, 10);

  /**
   * The budget's window (Weft's default {@code ttl}), plus the 5% its slots may add: calls up to
   * this long before a span still fund retries in it.
   */
  static final double WINDOW_SECONDS = 10.5;

  RetryBudgetCheck {
    if (percent < 0 || minPerSecond < 0) {
      throw new IllegalArgumentException("percent and minPerSecond must be 0 or more");
    }
  }

  /** The most retries and hedges the budget allows for {@code calls} over {@code seconds}. */
  double allowed(long calls, double seconds) {
    return percent / 100.0 * calls + minPerSecond * seconds;
  }

  /** The budget's {@code ttl} (Weft's default), over which the reserve refills once. */
  static final double TTL_SECONDS = 10;

  /**
   * The bound {@code RetryBudgetTracker} documents and enforces for a span of {@code seconds}: the
   * calls of the window before the span fund retries too, and the reserve ({@code minPerSecond *
   * ttl}) is whole again once per {@code ttl}, so a span gets {@code ceil(seconds / ttl)} of them.
   */
  double allowed(long calls, long callsInWindowBefore, double seconds) {
    double reserves = Math.ceil(seconds / TTL_SECONDS - 1e-9);
    return percent / 100.0 * (calls + callsInWindowBefore) + minPerSecond * TTL_SECONDS * reserves;
  }

  boolean held(long repeats, long calls, double seconds) {
    return repeats <= allowed(calls, seconds);
  }
}
