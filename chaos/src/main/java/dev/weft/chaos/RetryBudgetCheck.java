package dev.weft.chaos;

/**
 * Whether a cluster's retries and hedges in a phase stayed within the retry budget: {@code percent}
 * of the phase's calls plus {@code minPerSecond} for each second of the phase (Weft's default: 20%
 * plus 10 a second).
 */
record RetryBudgetCheck(double percent, double minPerSecond) {
  static final RetryBudgetCheck DEFAULT = new RetryBudgetCheck(20, 10);

  /** The budget's window (Weft's default {@code ttl}), plus the 5% its slots may add. */
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

  /** The windowed bound: the calls of the window before the phase fund retries too. */
  double allowed(long calls, long callsInWindowBefore, double seconds) {
    return allowed(calls + callsInWindowBefore, seconds);
  }

  boolean held(long repeats, long calls, double seconds) {
    return repeats <= allowed(calls, seconds);
  }
}
