package dev.weft.mesh.api.config;

import dev.weft.mesh.api.internal.Checks;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A canary guard on a route: it compares the calls of the {@code canary} destination with those of
 * the {@code baseline} destination and, when the canary is worse beyond the thresholds, sets the
 * canary's weight to 0 in this process until the configuration changes. With a {@link Promotion} it
 * also moves the canary's share of calls up a list of steps on a schedule, while it finds the
 * canary healthy. {@code docs/canary.md} describes the statistics.
 *
 * @param baseline the destination the canary is compared with, written {@code cluster} or {@code
 *     cluster/subset}; it must be one of the route's destinations
 * @param canary the destination under test, written like {@code baseline}; another of the route's
 *     destinations
 * @param interval how often the guard evaluates; a verdict takes the canary's traffic away within
 *     one interval
 * @param window the sliding window of the baseline's statistics (error rate, latency quantile)
 * @param minCalls the least calls each of the two destinations must have in the window before the
 *     guard judges
 * @param maxErrorRateIncrease how far the canary's error rate may exceed the baseline's (absolute:
 *     0.05 allows 6% errors against a baseline's 1%); above 0 and at most 1
 * @param maxLatencyRatio how many times the baseline's latency at {@code latencyPercentile} the
 *     canary's may be; 0 turns the latency test off, otherwise at least 1
 * @param latencyPercentile the latency percentile compared, from 50 to below 100 (99 is p99)
 * @param alpha the false-alarm bound: a canary within the thresholds is rolled back by one
 *     evaluation with probability at most {@code alpha} per test, so at most {@code 2 * alpha * n}
 *     over {@code n} evaluations; above 0 and at most 0.01
 * @param promotion the progressive promotion, or {@link Promotion#NONE} to keep the configured
 *     weights
 */
public record CanaryPolicy(
    String baseline,
    String canary,
    Duration interval,
    Duration window,
    int minCalls,
    double maxErrorRateIncrease,
    double maxLatencyRatio,
    double latencyPercentile,
    double alpha,
    Promotion promotion) {

  /** The default evaluation interval: 1 s. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

  /** The default window: 30 s. */
  public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(30);

  /** The default least number of calls per destination in the window: 100. */
  public static final int DEFAULT_MIN_CALLS = 100;

  /** The default tolerated increase of the error rate: 0.05 (five percentage points). */
  public static final double DEFAULT_MAX_ERROR_RATE_INCREASE = 0.05;

  /** The default tolerated latency ratio: 1.5. */
  public static final double DEFAULT_MAX_LATENCY_RATIO = 1.5;

  /** The default latency percentile: 99. */
  public static final double DEFAULT_LATENCY_PERCENTILE = 99;

  /** The default false-alarm bound per evaluation and test: 1e-6. */
  public static final double DEFAULT_ALPHA = 1e-6;

  /** No canary guard. */
  public static final CanaryPolicy NONE =
      new CanaryPolicy(
          "",
          "",
          DEFAULT_INTERVAL,
          DEFAULT_WINDOW,
          DEFAULT_MIN_CALLS,
          DEFAULT_MAX_ERROR_RATE_INCREASE,
          DEFAULT_MAX_LATENCY_RATIO,
          DEFAULT_LATENCY_PERCENTILE,
          DEFAULT_ALPHA,
          Promotion.NONE);

  public CanaryPolicy {
    Checks c = Checks.start();
    c.notNull(baseline, "baseline");
    c.notNull(canary, "canary");
    boolean none = baseline != null && canary != null && baseline.isEmpty() && canary.isEmpty();
    if (!none) {
      destinationRef(c, baseline, "baseline");
      destinationRef(c, canary, "canary");
      if (baseline != null && baseline.equals(canary)) {
        c.add("canary", "must differ from the baseline, both are '" + canary + "'");
      }
    }
    c.positive(interval, "interval");
    c.positive(window, "window");
    if (interval != null && window != null && window.compareTo(interval) < 0) {
      c.add("window", "must be at least the interval (" + interval + "), was " + window);
    }
    c.require(minCalls >= 1, "minCalls", "must be at least 1, was %d", minCalls);
    c.require(
        maxErrorRateIncrease > 0 && maxErrorRateIncrease <= 1,
        "maxErrorRateIncrease",
        "must be above 0 and at most 1, was %s",
        maxErrorRateIncrease);
    c.require(
        maxLatencyRatio == 0 || (maxLatencyRatio >= 1 && Double.isFinite(maxLatencyRatio)),
        "maxLatencyRatio",
        "must be 0 (no latency test) or at least 1, was %s",
        maxLatencyRatio);
    c.require(
        latencyPercentile >= 50 && latencyPercentile < 100,
        "latencyPercentile",
        "must be from 50 to below 100, was %s",
        latencyPercentile);
    c.require(
        alpha > 0 && alpha <= 0.01, "alpha", "must be above 0 and at most 0.01, was %s", alpha);
    c.notNull(promotion, "promotion");
    c.throwIfAny();
  }

  private static void destinationRef(Checks c, String ref, String path) {
    if (ref == null) {
      return;
    }
    int slash = ref.indexOf('/');
    if (ref.isEmpty()) {
      c.add(path, "must name a destination of the route as 'cluster' or 'cluster/subset'");
    } else if (slash == 0 || slash == ref.length() - 1 || ref.indexOf('/', slash + 1) >= 0) {
      c.add(path, "must be 'cluster' or 'cluster/subset', was '" + ref + "'");
    }
  }

  /** Whether the route has a canary guard. */
  public boolean enabled() {
    return !canary.isEmpty();
  }

  /** Whether the latency test runs. */
  public boolean latencyTest() {
    return maxLatencyRatio > 0;
  }

  /**
   * A guard of {@code canary} against {@code baseline} with the default thresholds and no
   * promotion.
   */
  public static CanaryPolicy of(String baseline, String canary) {
    return builder(baseline, canary).build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder(String baseline, String canary) {
    return new Builder(baseline, canary);
  }

  /** How a destination is written in {@link #baseline} and {@link #canary}. */
  public static String ref(Destination d) {
    return d.subset().isEmpty() ? d.cluster() : d.cluster() + "/" + d.subset();
  }

  /**
   * Progressive promotion: the canary's share of the route's calls, in percent, moves through
   * {@code steps}, one step per {@code interval}, counted from {@code startTime}; it moves only
   * while the guard finds the canary healthy. Since the schedule is anchored to a time written in
   * the configuration, every instance of a service that reads it moves in step.
   *
   * @param steps the canary's shares in percent, rising, each above 0 and at most 100; empty for no
   *     promotion
   * @param interval the time each step lasts
   * @param startTime when the first step begins; null to begin when this process applies the
   *     configuration (then instances move on their own clocks)
   */
  public record Promotion(List<Double> steps, Duration interval, Instant startTime) {
    /** No promotion: the route's weights stay as configured. */
    public static final Promotion NONE = new Promotion(List.of(), Duration.ofMinutes(1), null);

    public Promotion {
      steps = Checks.listAllowingNulls(steps);
      Checks c = Checks.start();
      Checks.elementsNotNull(c, steps, "steps");
      double previous = 0;
      for (int i = 0; i < steps.size(); i++) {
        Double s = steps.get(i);
        if (s == null) {
          continue;
        }
        if (!(s > 0 && s <= 100)) {
          c.add("steps[" + i + "]", "must be above 0 and at most 100, was " + s);
        } else if (s <= previous) {
          c.add("steps[" + i + "]", "must be above the step before (" + previous + "), was " + s);
        }
        previous = Math.max(previous, s);
      }
      c.positive(interval, "interval");
      c.throwIfAny();
    }

    /** Whether the canary is promoted. */
    public boolean enabled() {
      return !steps.isEmpty();
    }
  }

  /** Builds a {@link CanaryPolicy}. */
  public static final class Builder {
    private final String baseline;
    private final String canary;
    private Duration interval = DEFAULT_INTERVAL;
    private Duration window = DEFAULT_WINDOW;
    private int minCalls = DEFAULT_MIN_CALLS;
    private double maxErrorRateIncrease = DEFAULT_MAX_ERROR_RATE_INCREASE;
    private double maxLatencyRatio = DEFAULT_MAX_LATENCY_RATIO;
    private double latencyPercentile = DEFAULT_LATENCY_PERCENTILE;
    private double alpha = DEFAULT_ALPHA;
    private Promotion promotion = Promotion.NONE;

    private Builder(String baseline, String canary) {
      this.baseline = baseline;
      this.canary = canary;
    }

    /** See {@link CanaryPolicy#interval()}. */
    public Builder interval(Duration interval) {
      this.interval = interval;
      return this;
    }

    /** See {@link CanaryPolicy#window()}. */
    public Builder window(Duration window) {
      this.window = window;
      return this;
    }

    /** See {@link CanaryPolicy#minCalls()}. */
    public Builder minCalls(int minCalls) {
      this.minCalls = minCalls;
      return this;
    }

    /** See {@link CanaryPolicy#maxErrorRateIncrease()}. */
    public Builder maxErrorRateIncrease(double maxErrorRateIncrease) {
      this.maxErrorRateIncrease = maxErrorRateIncrease;
      return this;
    }

    /** See {@link CanaryPolicy#maxLatencyRatio()}. */
    public Builder maxLatencyRatio(double maxLatencyRatio) {
      this.maxLatencyRatio = maxLatencyRatio;
      return this;
    }

    /** See {@link CanaryPolicy#latencyPercentile()}. */
    public Builder latencyPercentile(double latencyPercentile) {
      this.latencyPercentile = latencyPercentile;
      return this;
    }

    /** See {@link CanaryPolicy#alpha()}. */
    public Builder alpha(double alpha) {
      this.alpha = alpha;
      return this;
    }

    /** See {@link CanaryPolicy#promotion()}. */
    public Builder promotion(Promotion promotion) {
      this.promotion = promotion;
      return this;
    }

    /** Steps in percent, one per {@code interval} from {@code startTime} (null: when applied). */
    public Builder promotion(List<Double> steps, Duration interval, Instant startTime) {
      return promotion(new Promotion(steps, interval, startTime));
    }

    public CanaryPolicy build() {
      return new CanaryPolicy(
          baseline,
          canary,
          interval,
          window,
          minCalls,
          maxErrorRateIncrease,
          maxLatencyRatio,
          latencyPercentile,
          alpha,
          promotion);
    }
  }
}
