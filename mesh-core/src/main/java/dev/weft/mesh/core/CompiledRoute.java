package dev.weft.mesh.core;

import dev.weft.mesh.api.config.FaultInjection;
import dev.weft.mesh.api.config.HashPolicy;
import dev.weft.mesh.api.config.HeaderMatch;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.runtime.Nanos;
import dev.weft.mesh.api.runtime.RandomSource;
import dev.weft.mesh.core.internal.health.LocalRateLimiter;
import dev.weft.mesh.core.spi.CallGuard;
import dev.weft.mesh.core.spi.CallRequest;
import java.util.List;

/** A route ready for the call path: matchers compiled, destinations resolved to cluster states. */
final class CompiledRoute {
  final String service;
  final Route route;
  final RouteMatcher matcher;
  final WeightedTargets targets;
  final MirrorTarget[] mirrors;
  final HashPolicy[] hashPolicies;
  final RouteMatcher.HeaderMatcher[] faultHeaders;
  final LocalRateLimiter rateLimiter;

  /** The route's guard (its Resilience4j instances); null when it names none. */
  final CallGuard guard;

  final LatencyTracker latency;
  final Telemetry.RouteMetrics metrics;
  final long timeoutNanos;
  final long perTryTimeoutNanos;
  final ExponentialBackoff backoff;

  CompiledRoute(
      String service,
      Route route,
      WeightedTargets targets,
      MirrorTarget[] mirrors,
      LocalRateLimiter rateLimiter,
      CallGuard guard,
      Telemetry telemetry,
      RandomSource random) {
    this.service = service;
    this.route = route;
    this.matcher = new RouteMatcher(route.match());
    this.targets = targets;
    this.mirrors = mirrors;
    this.hashPolicies = route.hashPolicies().toArray(new HashPolicy[0]);
    List<HeaderMatch> fh = route.fault().headers();
    this.faultHeaders = new RouteMatcher.HeaderMatcher[fh.size()];
    for (int i = 0; i < fh.size(); i++) {
      faultHeaders[i] = new RouteMatcher.HeaderMatcher(fh.get(i));
    }
    this.rateLimiter = rateLimiter;
    this.guard = guard;
    this.latency =
        route.hedging().enabled() && route.hedging().delayPercentile() > 0
            ? new LatencyTracker(route.hedging().delayPercentile())
            : null;
    this.metrics = telemetry.route(service, route.name());
    this.timeoutNanos = route.timeout().isZero() ? Long.MAX_VALUE : Nanos.of(route.timeout());
    this.perTryTimeoutNanos =
        route.retry().perTryTimeout().isZero()
            ? Long.MAX_VALUE
            : Nanos.of(route.retry().perTryTimeout());
    this.backoff = ExponentialBackoff.of(route.retry(), random);
  }

  /**
   * The delay before a hedge: the policy's fixed delay, raised to the latency percentile once there
   * is one; -1 when neither is known yet, to wait for data before hedging.
   */
  long hedgeDelayNanos() {
    long delay = Nanos.of(route.hedging().delay());
    if (latency != null) {
      long p = latency.percentileNanos();
      if (p > 0) {
        return Math.max(delay, p);
      } else if (delay == 0) {
        return -1;
      }
    }
    return delay;
  }

  String name() {
    return route.name();
  }

  FaultInjection fault() {
    return route.fault();
  }

  boolean faultApplies(CallRequest request) {
    for (RouteMatcher.HeaderMatcher h : faultHeaders) {
      if (!h.matches(request)) {
        return false;
      }
    }
    return true;
  }

  /** A mirror destination with its share of calls. */
  static final class MirrorTarget {
    final RouteTarget target;
    final double percent;

    MirrorTarget(RouteTarget target, double percent) {
      this.target = target;
      this.percent = percent;
    }
  }
}
