package dev.weft.mesh.core;

import dev.weft.mesh.api.config.HedgingPolicy;
import dev.weft.mesh.api.config.RetryPolicy;
import dev.weft.mesh.core.spi.AttemptOutcome;
import dev.weft.mesh.core.spi.CallRequest;
import java.util.Set;

/**
 * What a route's retry and hedging policies allow one call: whether it hedges, how many attempts it
 * may make, and what an attempt's outcome earns. Stateless; the attempt loop acts on the answers.
 */
final class Repeats {

  /** Whether the call hedges: hedging is on and the request may be sent more than once. */
  static boolean hedges(CompiledRoute route, CallRequest request) {
    return route.route.hedging().enabled() && mayRepeat(route, request);
  }

  /** How many attempts the call may make, the first included. */
  static int maxAttempts(CompiledRoute route, CallRequest request) {
    HedgingPolicy hedge = route.route.hedging();
    RetryPolicy retry = route.route.retry();
    if (hedges(route, request)) {
      return hedge.maxAttempts();
    }
    return retry.enabled() && mayRepeat(route, request) ? retry.maxAttempts() : 1;
  }

  private static boolean mayRepeat(CompiledRoute route, CallRequest request) {
    return request.idempotent() || route.route.retry().retryNonIdempotent();
  }

  /**
   * The backoff before a retry after {@code outcome}, or -1 when the outcome ends the call: the
   * policy does not retry it, no attempt is left, or the deadline would pass first.
   */
  static long retryBackoffNanos(
      CompiledRoute route,
      AttemptOutcome outcome,
      int started,
      int maxAttempts,
      long remainingNanos) {
    RetryPolicy policy = route.route.retry();
    if (started >= maxAttempts
        || !OutcomeClassifier.matches(outcome, policy.retryOn(), policy.retriableStatusCodes())
        || remainingNanos <= 0) {
      return -1;
    }
    long backoff = route.backoff.delayNanos(started);
    return backoff >= remainingNanos ? -1 : backoff;
  }

  /**
   * Whether a hedged attempt's outcome leaves the call to the other hedges: a failure the policy
   * calls non-fatal.
   */
  static boolean nonFatal(CompiledRoute route, AttemptOutcome outcome) {
    boolean failed =
        !OutcomeClassifier.success(outcome) && outcome.kind() != AttemptOutcome.Kind.CANCELLED;
    return failed
        && OutcomeClassifier.matches(outcome, route.route.hedging().nonFatalOn(), Set.of());
  }

  private Repeats() {}
}
