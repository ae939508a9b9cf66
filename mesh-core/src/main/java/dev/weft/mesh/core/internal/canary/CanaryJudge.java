package dev.weft.mesh.core.internal.canary;

import java.util.ArrayDeque;

/**
 * Decides whether a canary is worse than its baseline, one interval at a time, with two one-sided
 * sequential tests whose false alarms are bounded.
 *
 * <ul>
 *   <li><b>Errors.</b> The null hypothesis is that the canary's error rate is at most the
 *       baseline's plus {@code maxErrorRateIncrease}. Its rate {@code p0} is the baseline's
 *       Chernoff upper bound over the window (at level alpha/2) plus the increase; the alternative
 *       is {@code p1 = min(3 p0, (1 + p0) / 2)}. Each interval adds the log-likelihood ratio of the
 *       canary's outcomes in it to a CUSUM statistic {@code S = max(0, S + LLR)}; a verdict comes
 *       when {@code S >= ln(2 / alpha)}.
 *   <li><b>Latency.</b> The null hypothesis is that the canary's latency at the percentile is at
 *       most {@code maxLatencyRatio} times the baseline's. The baseline's percentile is bounded
 *       from above by an order statistic of the window (again at level alpha/2); a canary success
 *       slower than the ratio times that bound is "slow", which under the null hypothesis happens
 *       with probability at most {@code 1 - percentile}. The same CUSUM runs on the slow calls.
 * </ul>
 *
 * <p>Why the bound holds: under the null hypothesis the likelihood ratio accumulated from any
 * interval on is a non-negative supermartingale, so by Ville's inequality it ever reaches {@code 2
 * / alpha} with probability at most {@code alpha / 2}; the CUSUM fires by evaluation {@code n} only
 * if one of the {@code n} ratios started at an evaluation does, and the baseline's bound fails at
 * one of them with probability at most {@code n * alpha / 2}. So a canary within the thresholds is
 * judged worse within {@code n} evaluations with probability at most {@code n * alpha} per test.
 * The argument assumes calls that are independent given their destination's rates.
 *
 * <p>Neither test runs until both destinations have {@code minCalls} calls in the window. Not
 * thread-safe: used by one guard on the control path.
 */
public final class CanaryJudge {
  /** The test that found the canary worse. */
  public enum Test {
    ERRORS,
    LATENCY
  }

  /**
   * The figures of one evaluation.
   *
   * @param test the test that fired, or null when none did
   * @param judged whether the destinations had enough calls to be judged
   * @param baselineCalls the baseline's calls in the window
   * @param baselineFailures the baseline's failures in the window
   * @param canaryCalls the canary's calls in the window
   * @param canaryFailures the canary's failures in the window
   * @param errorRateLimit the canary's error rate the error test holds it to ({@code p0}), or NaN
   * @param baselineLatencyNanos the baseline's latency at the percentile over the window, or 0
   * @param canaryLatencyNanos the canary's latency at the percentile over the window, or 0
   * @param latencyLimitNanos the latency above which a canary call is slow, or 0
   * @param errorStatistic the error test's CUSUM statistic
   * @param latencyStatistic the latency test's CUSUM statistic
   * @param threshold the statistic at which a test fires
   * @param errorRunCalls the canary calls since the error statistic was last 0: what it weighs
   * @param errorRunFailures the failures among them
   * @param latencyRunCalls the canary successes since the latency statistic was last 0
   * @param latencyRunSlow the slow ones among them
   */
  public record Evidence(
      Test test,
      boolean judged,
      long baselineCalls,
      long baselineFailures,
      long canaryCalls,
      long canaryFailures,
      double errorRateLimit,
      long baselineLatencyNanos,
      long canaryLatencyNanos,
      long latencyLimitNanos,
      double errorStatistic,
      double latencyStatistic,
      double threshold,
      long errorRunCalls,
      long errorRunFailures,
      long latencyRunCalls,
      long latencyRunSlow) {

    /** The baseline's error rate over the window, or 0 without calls. */
    public double baselineErrorRate() {
      return baselineCalls == 0 ? 0 : (double) baselineFailures / baselineCalls;
    }

    /** The canary's error rate over the window, or 0 without calls. */
    public double canaryErrorRate() {
      return canaryCalls == 0 ? 0 : (double) canaryFailures / canaryCalls;
    }
  }

  private final long windowNanos;
  private final int minCalls;
  private final double maxErrorRateIncrease;
  private final double maxLatencyRatio;
  private final double quantile;
  private final double logBound;

  private final ArrayDeque<Batch> baseline = new ArrayDeque<>();
  private final ArrayDeque<Batch> canary = new ArrayDeque<>();
  private double errorStatistic;
  private double latencyStatistic;
  private long errorRunCalls;
  private long errorRunFailures;
  private long latencyRunCalls;
  private long latencyRunSlow;

  /**
   * A judge with the guard's thresholds.
   *
   * @param latencyQuantile the percentile as a share (0.99 for p99)
   * @param maxLatencyRatio 0 for no latency test
   * @param alpha the false-alarm bound per evaluation and test
   */
  public CanaryJudge(
      long windowNanos,
      int minCalls,
      double maxErrorRateIncrease,
      double maxLatencyRatio,
      double latencyQuantile,
      double alpha) {
    this.windowNanos = windowNanos;
    this.minCalls = minCalls;
    this.maxErrorRateIncrease = maxErrorRateIncrease;
    this.maxLatencyRatio = maxLatencyRatio;
    this.quantile = latencyQuantile;
    this.logBound = Math.log(2 / alpha);
  }

  /** The statistic at which a test fires: {@code ln(2 / alpha)}. */
  public double threshold() {
    return logBound;
  }

  /**
   * Adds one interval's batches (what each destination did since the last evaluation) and judges.
   */
  public Evidence judge(Batch baselineBatch, Batch canaryBatch) {
    long now = Math.max(baselineBatch.atNanos(), canaryBatch.atNanos());
    add(baseline, baselineBatch, now);
    add(canary, canaryBatch, now);
    Batch b = sum(baseline, now);
    Batch c = sum(canary, now);
    boolean judged = b.calls() >= minCalls && c.calls() >= minCalls;
    double errorLimit = Double.NaN;
    long latencyLimit = 0;
    Test fired = null;
    if (judged) {
      double p0 = Bounds.upper(b.failures(), b.calls(), logBound) + maxErrorRateIncrease;
      if (p0 < 1) {
        errorLimit = p0;
        double p1 = Bounds.alternative(p0);
        errorStatistic =
            Math.max(
                0,
                errorStatistic
                    + Bounds.logLikelihoodRatio(
                        canaryBatch.failures(), canaryBatch.calls(), p0, p1));
        if (errorStatistic == 0) {
          errorRunCalls = 0;
          errorRunFailures = 0;
        } else {
          errorRunCalls += canaryBatch.calls();
          errorRunFailures += canaryBatch.failures();
        }
      }
      if (maxLatencyRatio > 0) {
        latencyLimit = latencyLimit(b);
        if (latencyLimit > 0) {
          double slow0 = 1 - quantile;
          double slow1 = Bounds.alternative(slow0);
          long slow = canaryBatch.slowerThan(latencyLimit);
          latencyStatistic =
              Math.max(
                  0,
                  latencyStatistic
                      + Bounds.logLikelihoodRatio(slow, canaryBatch.successes(), slow0, slow1));
          if (latencyStatistic == 0) {
            latencyRunCalls = 0;
            latencyRunSlow = 0;
          } else {
            latencyRunCalls += canaryBatch.successes();
            latencyRunSlow += slow;
          }
        }
      }
      if (errorStatistic >= logBound) {
        fired = Test.ERRORS;
      } else if (latencyStatistic >= logBound) {
        fired = Test.LATENCY;
      }
    }
    return new Evidence(
        fired,
        judged,
        b.calls(),
        b.failures(),
        c.calls(),
        c.failures(),
        errorLimit,
        b.quantileNanos(quantile),
        c.quantileNanos(quantile),
        latencyLimit,
        errorStatistic,
        latencyStatistic,
        logBound,
        errorRunCalls,
        errorRunFailures,
        latencyRunCalls,
        latencyRunSlow);
  }

  /**
   * The ratio times an upper bound of the baseline's percentile: the order statistic whose rank
   * {@code n} draws below the true percentile exceed with probability at most alpha/2; 0 when the
   * window has too few successes to bound it.
   */
  private long latencyLimit(Batch window) {
    long n = window.successes();
    if (n < minCalls) {
      return 0;
    }
    double u = Bounds.rankShare(quantile, n, logBound);
    if (u >= 1) {
      return 0;
    }
    long upper = window.upperEdgeOfRank((long) Math.ceil(u * n));
    if (upper <= 0 || upper == Long.MAX_VALUE) {
      return 0;
    }
    return (long) Math.ceil(upper * maxLatencyRatio);
  }

  private void add(ArrayDeque<Batch> window, Batch batch, long now) {
    window.addLast(batch);
    while (!window.isEmpty() && window.peekFirst().atNanos() <= now - windowNanos) {
      window.removeFirst();
    }
  }

  private static Batch sum(ArrayDeque<Batch> window, long now) {
    Batch total = Batch.empty(now);
    for (Batch x : window) {
      total = total.plus(x);
    }
    return total;
  }
}
