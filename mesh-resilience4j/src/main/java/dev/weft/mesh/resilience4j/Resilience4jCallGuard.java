package dev.weft.mesh.resilience4j;

import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.core.spi.AttemptOutcome;
import dev.weft.mesh.core.spi.CallGuard;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import java.util.concurrent.TimeUnit;

/**
 * The guard of one route or cluster: its circuit breaker, rate limiter and bulkhead, asked in that
 * order (the order of Resilience4j's Spring aspects, outermost first). A refusal gives back what
 * the instances before it took: the breaker's permission is released uncounted (the rate limiter's
 * permission, once taken, is spent).
 *
 * <p>Admitting allocates nothing and waits for nothing (the bulkhead and rate limiter were checked
 * not to wait); the breaker's bookkeeping is Resilience4j's own.
 */
final class Resilience4jCallGuard implements CallGuard {
  private final String owner;
  private final CircuitBreaker circuitBreaker;
  private final RateLimiter rateLimiter;
  private final Bulkhead bulkhead;

  Resilience4jCallGuard(
      String owner, CircuitBreaker circuitBreaker, RateLimiter rateLimiter, Bulkhead bulkhead) {
    this.owner = owner;
    this.circuitBreaker = circuitBreaker;
    this.rateLimiter = rateLimiter;
    this.bulkhead = bulkhead;
  }

  @Override
  public MeshException tryAdmit() {
    if (circuitBreaker != null && !circuitBreaker.tryAcquirePermission()) {
      CallNotPermittedException e =
          CallNotPermittedException.createCallNotPermittedException(circuitBreaker);
      return new MeshException(MeshException.Reason.CIRCUIT_OPEN, owner + ": " + e.getMessage(), e);
    }
    if (rateLimiter != null && !rateLimiter.acquirePermission()) {
      releaseBreaker();
      RequestNotPermitted e = RequestNotPermitted.createRequestNotPermitted(rateLimiter);
      return new MeshException(MeshException.Reason.RATE_LIMITED, owner + ": " + e.getMessage(), e);
    }
    if (bulkhead != null && !bulkhead.tryAcquirePermission()) {
      releaseBreaker();
      BulkheadFullException e = BulkheadFullException.createBulkheadFullException(bulkhead);
      return new MeshException(MeshException.Reason.CIRCUIT_OPEN, owner + ": " + e.getMessage(), e);
    }
    return null;
  }

  private void releaseBreaker() {
    if (circuitBreaker != null) {
      circuitBreaker.releasePermission();
    }
  }

  @Override
  public void onEnd(
      Verdict verdict, long elapsedNanos, AttemptOutcome outcome, MeshException failure) {
    if (bulkhead != null) {
      bulkhead.onComplete();
    }
    MeshCallFailedException error =
        verdict == Verdict.FAILURE && (circuitBreaker != null || rateLimiter != null)
            ? new MeshCallFailedException(owner, outcome, failure)
            : null;
    if (rateLimiter != null) {
      // Lets a drainPermissionsOnResult predicate see the call's end.
      if (verdict == Verdict.SUCCESS) {
        rateLimiter.onSuccess();
      } else if (error != null) {
        rateLimiter.onError(error);
      }
    }
    if (circuitBreaker != null) {
      switch (verdict) {
        case SUCCESS -> circuitBreaker.onSuccess(elapsedNanos, TimeUnit.NANOSECONDS);
        case FAILURE -> circuitBreaker.onError(elapsedNanos, TimeUnit.NANOSECONDS, error);
        case NOT_COUNTED -> circuitBreaker.releasePermission();
      }
    }
  }

  @Override
  public String toString() {
    return "Resilience4jCallGuard{"
        + owner
        + (circuitBreaker == null ? "" : ", circuitBreaker=" + circuitBreaker.getName())
        + (rateLimiter == null ? "" : ", rateLimiter=" + rateLimiter.getName())
        + (bulkhead == null ? "" : ", bulkhead=" + bulkhead.getName())
        + "}";
  }
}
