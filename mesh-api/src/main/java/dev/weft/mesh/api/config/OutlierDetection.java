package dev.weft.mesh.api.config;

import dev.weft.mesh.api.internal.Checks;
import java.time.Duration;

/**
 * Ejects endpoints that misbehave, as Envoy's outlier detection and gRFC A50 do. An ejected
 * endpoint receives no calls for {@code baseEjectionTime} times the number of times it has been
 * ejected (capped at {@code maxEjectionTime}); never more than {@code maxEjectionPercent} of a
 * cluster is ejected at once.
 *
 * @param enabled whether outlier detection runs for the cluster
 * @param interval how often success-rate and failure-percentage ejection are evaluated
 * @param baseEjectionTime how long a first ejection lasts
 * @param maxEjectionTime the longest an ejection lasts however often the endpoint was ejected
 * @param maxEjectionPercent the most of a cluster's endpoints ejected at once (at least one
 *     endpoint can always be ejected when this is above zero)
 * @param consecutiveFailures failures in a row that eject an endpoint (Envoy's {@code
 *     consecutive_5xx}); 0 disables
 * @param consecutiveGatewayFailures gateway failures (502, 503, 504, connection failures,
 *     UNAVAILABLE) in a row that eject an endpoint; 0 disables
 * @param successRate ejection of endpoints whose success rate is far below the cluster's mean
 * @param failurePercentage ejection of endpoints whose failure percentage is over a threshold
 */
public record OutlierDetection(
    boolean enabled,
    Duration interval,
    Duration baseEjectionTime,
    Duration maxEjectionTime,
    int maxEjectionPercent,
    int consecutiveFailures,
    int consecutiveGatewayFailures,
    SuccessRate successRate,
    FailurePercentage failurePercentage) {

  /** Outlier detection off. */
  public static final OutlierDetection DISABLED = builder().enabled(false).build();

  public OutlierDetection {
    Checks c = Checks.start();
    c.positive(interval, "interval");
    c.positive(baseEjectionTime, "baseEjectionTime");
    c.positive(maxEjectionTime, "maxEjectionTime");
    if (baseEjectionTime != null && maxEjectionTime != null) {
      c.require(
          maxEjectionTime.compareTo(baseEjectionTime) >= 0,
          "maxEjectionTime",
          "must not be shorter than baseEjectionTime (%s), was %s",
          baseEjectionTime,
          maxEjectionTime);
    }
    c.percent(maxEjectionPercent, "maxEjectionPercent");
    c.require(
        consecutiveFailures >= 0,
        "consecutiveFailures",
        "must not be negative, was %d",
        consecutiveFailures);
    c.require(
        consecutiveGatewayFailures >= 0,
        "consecutiveGatewayFailures",
        "must not be negative, was %d",
        consecutiveGatewayFailures);
    c.notNull(successRate, "successRate");
    c.notNull(failurePercentage, "failurePercentage");
    c.throwIfAny();
  }

  /** A builder holding Envoy's defaults, enabled. */
  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .enabled(enabled)
        .interval(interval)
        .baseEjectionTime(baseEjectionTime)
        .maxEjectionTime(maxEjectionTime)
        .maxEjectionPercent(maxEjectionPercent)
        .consecutiveFailures(consecutiveFailures)
        .consecutiveGatewayFailures(consecutiveGatewayFailures)
        .successRate(successRate)
        .failurePercentage(failurePercentage);
  }

  /**
   * Success-rate ejection: an endpoint with at least {@code requestVolume} calls in an interval is
   * ejected when its success rate is below {@code mean - stdevFactor * stdev} of the endpoints that
   * qualify, if at least {@code minimumHosts} qualify.
   *
   * @param enforcingPercent the chance, in percent, that a detected outlier is really ejected; 0
   *     disables
   */
  public record SuccessRate(
      int minimumHosts, int requestVolume, double stdevFactor, int enforcingPercent) {
    public static final SuccessRate DEFAULT = new SuccessRate(5, 100, 1.9, 100);
    public static final SuccessRate DISABLED = new SuccessRate(5, 100, 1.9, 0);

    public SuccessRate {
      Checks c = Checks.start();
      c.require(minimumHosts >= 1, "minimumHosts", "must be at least 1, was %d", minimumHosts);
      c.require(requestVolume >= 1, "requestVolume", "must be at least 1, was %d", requestVolume);
      c.require(
          stdevFactor > 0 && Double.isFinite(stdevFactor),
          "stdevFactor",
          "must be a positive number, was %s",
          stdevFactor);
      c.percent(enforcingPercent, "enforcingPercent");
      c.throwIfAny();
    }

    public boolean enabled() {
      return enforcingPercent > 0;
    }
  }

  /**
   * Failure-percentage ejection: an endpoint with at least {@code requestVolume} calls in an
   * interval is ejected when more than {@code threshold}% of them failed, if at least {@code
   * minimumHosts} endpoints have that volume.
   *
   * @param enforcingPercent the chance, in percent, that a detected outlier is really ejected; 0
   *     disables
   */
  public record FailurePercentage(
      int threshold, int minimumHosts, int requestVolume, int enforcingPercent) {
    public static final FailurePercentage DEFAULT = new FailurePercentage(85, 5, 50, 100);
    public static final FailurePercentage DISABLED = new FailurePercentage(85, 5, 50, 0);

    public FailurePercentage {
      Checks c = Checks.start();
      c.percent(threshold, "threshold");
      c.require(minimumHosts >= 1, "minimumHosts", "must be at least 1, was %d", minimumHosts);
      c.require(requestVolume >= 1, "requestVolume", "must be at least 1, was %d", requestVolume);
      c.percent(enforcingPercent, "enforcingPercent");
      c.throwIfAny();
    }

    public boolean enabled() {
      return enforcingPercent > 0;
    }
  }

  /** Builds {@link OutlierDetection}; starts from Envoy's defaults. */
  public static final class Builder {
    private boolean enabled = true;
    private Duration interval = Duration.ofSeconds(10);
    private Duration baseEjectionTime = Duration.ofSeconds(30);
    private Duration maxEjectionTime = Duration.ofSeconds(300);
    private int maxEjectionPercent = 10;
    private int consecutiveFailures = 5;
    private int consecutiveGatewayFailures = 0;
    private SuccessRate successRate = SuccessRate.DISABLED;
    private FailurePercentage failurePercentage = FailurePercentage.DISABLED;

    private Builder() {}

    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    public Builder interval(Duration interval) {
      this.interval = interval;
      return this;
    }

    public Builder baseEjectionTime(Duration baseEjectionTime) {
      this.baseEjectionTime = baseEjectionTime;
      return this;
    }

    public Builder maxEjectionTime(Duration maxEjectionTime) {
      this.maxEjectionTime = maxEjectionTime;
      return this;
    }

    public Builder maxEjectionPercent(int maxEjectionPercent) {
      this.maxEjectionPercent = maxEjectionPercent;
      return this;
    }

    public Builder consecutiveFailures(int consecutiveFailures) {
      this.consecutiveFailures = consecutiveFailures;
      return this;
    }

    public Builder consecutiveGatewayFailures(int consecutiveGatewayFailures) {
      this.consecutiveGatewayFailures = consecutiveGatewayFailures;
      return this;
    }

    public Builder successRate(SuccessRate successRate) {
      this.successRate = successRate;
      return this;
    }

    public Builder failurePercentage(FailurePercentage failurePercentage) {
      this.failurePercentage = failurePercentage;
      return this;
    }

    public OutlierDetection build() {
      return new OutlierDetection(
          enabled,
          interval,
          baseEjectionTime,
          maxEjectionTime,
          maxEjectionPercent,
          consecutiveFailures,
          consecutiveGatewayFailures,
          successRate,
          failurePercentage);
    }
  }
}
