package dev.weft.mesh.api.config;

import dev.weft.mesh.api.internal.Checks;
import java.time.Duration;
import java.util.List;

/**
 * Deliberate failures for testing resilience (Envoy's fault filter, Istio's HTTPFaultInjection,
 * gRFC A33). Applied by the caller before an attempt leaves the process.
 *
 * @param delay a delay added before the call
 * @param abort a failure returned instead of making the call
 * @param headers the fault applies only to requests matching all of these; empty applies to all
 */
public record FaultInjection(Delay delay, Abort abort, List<HeaderMatch> headers) {
  /** No faults. */
  public static final FaultInjection NONE = new FaultInjection(Delay.NONE, Abort.NONE, List.of());

  public FaultInjection {
    headers = Checks.listAllowingNulls(headers);
    Checks c = Checks.start();
    c.notNull(delay, "delay");
    c.notNull(abort, "abort");
    Checks.elementsNotNull(c, headers, "headers");
    c.throwIfAny();
  }

  public boolean enabled() {
    return delay.enabled() || abort.enabled();
  }

  /**
   * A fixed delay added to a percentage of calls.
   *
   * @param fixedDelay how long
   * @param percent which share of calls, 0 to 100
   */
  public record Delay(Duration fixedDelay, double percent) {
    public static final Delay NONE = new Delay(Duration.ZERO, 0);

    public Delay {
      Checks c = Checks.start();
      c.nonNegative(fixedDelay, "fixedDelay");
      c.percent(percent, "percent");
      c.throwIfAny();
    }

    public boolean enabled() {
      return percent > 0 && !fixedDelay.isZero();
    }
  }

  /**
   * A failure returned instead of a percentage of calls.
   *
   * @param httpStatus the HTTP status HTTP callers get, 200 to 599; gRPC callers get the gRPC
   *     status that gRPC maps it to unless {@code grpcStatus} is given
   * @param grpcStatus a gRPC status code name (for example {@code UNAVAILABLE}), or empty
   * @param percent which share of calls, 0 to 100
   */
  public record Abort(int httpStatus, String grpcStatus, double percent) {
    public static final Abort NONE = new Abort(503, "", 0);

    public Abort {
      Checks c = Checks.start();
      c.require(
          httpStatus >= 200 && httpStatus <= 599,
          "httpStatus",
          "must be from 200 to 599, was %d",
          httpStatus);
      if (c.notNull(grpcStatus, "grpcStatus") && !grpcStatus.isEmpty()) {
        c.require(
            GrpcStatusNames.isValid(grpcStatus),
            "grpcStatus",
            "must be a gRPC status name such as UNAVAILABLE, was '%s'",
            grpcStatus);
      }
      c.percent(percent, "percent");
      c.throwIfAny();
    }

    public boolean enabled() {
      return percent > 0;
    }
  }
}
