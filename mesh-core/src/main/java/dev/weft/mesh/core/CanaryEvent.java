package dev.weft.mesh.core;

import java.time.Duration;
import java.time.Instant;

/**
 * Something a canary guard did: started, promoted the canary a step, or rolled it back. A control
 * plane or a CI job reads these (from {@link CanaryGuards}, the meters or the config dump) to roll
 * back a whole fleet.
 *
 * @param at when, on the mesh's clock
 * @param service the service of the guarded route
 * @param route the guarded route
 * @param kind what happened
 * @param canary the canary destination ({@code cluster} or {@code cluster/subset})
 * @param canaryPercentBefore the canary's share of the route's two destinations before, in percent
 * @param canaryPercentAfter the canary's share after, in percent
 * @param reason a sentence for people
 * @param evidence the figures the guard judged on
 */
public record CanaryEvent(
    Instant at,
    String service,
    String route,
    Kind kind,
    String canary,
    double canaryPercentBefore,
    double canaryPercentAfter,
    String reason,
    Evidence evidence) {

  /** What a guard did. */
  public enum Kind {
    /** The guard began to watch the route (a new configuration or a new process). */
    STARTED,
    /** The canary moved to the next promotion step. */
    PROMOTED,
    /** The canary was found worse than the baseline and its weight set to 0. */
    ROLLED_BACK
  }

  /**
   * The figures of one evaluation: the window's calls and failures of each destination, and both
   * tests' statistics. Latencies are at the guard's percentile.
   *
   * @param test the test that found the canary worse ({@code errors} or {@code latency}), or empty
   * @param baselineCalls the baseline's calls in the window
   * @param baselineFailures the baseline's failed calls in the window
   * @param canaryCalls the canary's calls in the window
   * @param canaryFailures the canary's failed calls in the window
   * @param errorRateLimit the error rate the canary is held to (the baseline's upper bound plus the
   *     allowed increase), or NaN before the first judgement
   * @param baselineLatency the baseline's latency over the window
   * @param canaryLatency the canary's latency over the window
   * @param latencyLimit the latency above which a canary call counts as slow, or zero
   * @param errorStatistic the error test's statistic
   * @param latencyStatistic the latency test's statistic
   * @param threshold the statistic at which a test fires
   * @param errorRunCalls the canary calls the error statistic weighs: those since it was last 0
   * @param errorRunFailures the failures among them
   * @param latencyRunCalls the canary successes the latency statistic weighs
   * @param latencyRunSlow the slow ones among them (above {@code latencyLimit})
   */
  public record Evidence(
      String test,
      long baselineCalls,
      long baselineFailures,
      long canaryCalls,
      long canaryFailures,
      double errorRateLimit,
      Duration baselineLatency,
      Duration canaryLatency,
      Duration latencyLimit,
      double errorStatistic,
      double latencyStatistic,
      double threshold,
      long errorRunCalls,
      long errorRunFailures,
      long latencyRunCalls,
      long latencyRunSlow) {

    /** No figures yet. */
    public static final Evidence NONE =
        new Evidence(
            "",
            0,
            0,
            0,
            0,
            Double.NaN,
            Duration.ZERO,
            Duration.ZERO,
            Duration.ZERO,
            0,
            0,
            0,
            0,
            0,
            0,
            0);

    /** The baseline's error rate over the window (0 to 1). */
    public double baselineErrorRate() {
      return baselineCalls == 0 ? 0 : (double) baselineFailures / baselineCalls;
    }

    /** The canary's error rate over the window (0 to 1). */
    public double canaryErrorRate() {
      return canaryCalls == 0 ? 0 : (double) canaryFailures / canaryCalls;
    }
  }
}
