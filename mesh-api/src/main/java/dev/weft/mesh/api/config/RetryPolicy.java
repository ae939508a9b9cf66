package dev.weft.mesh.api.config;

import dev.weft.mesh.api.internal.Checks;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * When and how a failed call is tried again. Each retry goes to a different endpoint where one is
 * healthy, waits a jittered exponential backoff, and is bounded by the cluster's {@link
 * RetryBudget} and the call's deadline.
 *
 * @param maxAttempts the most attempts in all, the first one included; 1 means no retries
 * @param perTryTimeout the longest one attempt may take; zero means only the overall timeout
 *     applies
 * @param retryOn the outcomes that are retried
 * @param retriableStatusCodes HTTP statuses retried when {@code retryOn} has {@link
 *     RetryOn#RETRIABLE_STATUS_CODES}
 * @param initialBackoff the base of the backoff before the first retry (full jitter: a random wait
 *     from 0 to the base, the base doubling with each retry)
 * @param maxBackoff the largest base the backoff reaches
 * @param retryNonIdempotent whether HTTP calls with a non-idempotent method (POST, PATCH) are
 *     retried
 */
public record RetryPolicy(
    int maxAttempts,
    Duration perTryTimeout,
    Set<RetryOn> retryOn,
    Set<Integer> retriableStatusCodes,
    Duration initialBackoff,
    Duration maxBackoff,
    boolean retryNonIdempotent) {

  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(25);
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMillis(250);

  /**
   * What is retried when a policy names nothing: failures that cannot have reached the application.
   */
  public static final Set<RetryOn> DEFAULT_RETRY_ON =
      Set.copyOf(
          EnumSet.of(
              RetryOn.CONNECT_FAILURE, RetryOn.REFUSED_STREAM, RetryOn.RESET, RetryOn.UNAVAILABLE));

  /** No retries. */
  public static final RetryPolicy NONE = builder().maxAttempts(1).build();

  public RetryPolicy {
    retryOn = retryOn == null ? Set.of() : Set.copyOf(retryOn);
    retriableStatusCodes =
        retriableStatusCodes == null ? Set.of() : Set.copyOf(retriableStatusCodes);
    Checks c = Checks.start();
    c.require(
        maxAttempts >= 1 && maxAttempts <= 10,
        "maxAttempts",
        "must be from 1 to 10, was %d",
        maxAttempts);
    c.nonNegative(perTryTimeout, "perTryTimeout");
    c.positive(initialBackoff, "initialBackoff");
    c.positive(maxBackoff, "maxBackoff");
    if (initialBackoff != null && maxBackoff != null) {
      c.require(
          maxBackoff.compareTo(initialBackoff) >= 0,
          "maxBackoff",
          "must not be shorter than initialBackoff (%s), was %s",
          initialBackoff,
          maxBackoff);
    }
    for (Integer code : retriableStatusCodes) {
      c.require(
          code >= 100 && code <= 599,
          "retriableStatusCodes",
          "must hold HTTP statuses from 100 to 599, had %d",
          code);
    }
    c.throwIfAny();
  }

  /** Whether this policy ever retries. */
  public boolean enabled() {
    return maxAttempts > 1;
  }

  /** A builder with three attempts, the default conditions and backoff. */
  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .maxAttempts(maxAttempts)
        .perTryTimeout(perTryTimeout)
        .retryOn(retryOn)
        .retriableStatusCodes(retriableStatusCodes)
        .initialBackoff(initialBackoff)
        .maxBackoff(maxBackoff)
        .retryNonIdempotent(retryNonIdempotent);
  }

  /** Builds a {@link RetryPolicy}; {@link #build()} validates. */
  public static final class Builder {
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration perTryTimeout = Duration.ZERO;
    private Set<RetryOn> retryOn = DEFAULT_RETRY_ON;
    private Set<Integer> retriableStatusCodes = Set.of();
    private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
    private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
    private boolean retryNonIdempotent;

    private Builder() {}

    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    public Builder perTryTimeout(Duration perTryTimeout) {
      this.perTryTimeout = perTryTimeout;
      return this;
    }

    public Builder retryOn(Set<RetryOn> retryOn) {
      this.retryOn = retryOn;
      return this;
    }

    public Builder retryOn(RetryOn... retryOn) {
      return retryOn(Set.of(retryOn));
    }

    public Builder retriableStatusCodes(Set<Integer> retriableStatusCodes) {
      this.retriableStatusCodes = retriableStatusCodes;
      return this;
    }

    public Builder initialBackoff(Duration initialBackoff) {
      this.initialBackoff = initialBackoff;
      return this;
    }

    public Builder maxBackoff(Duration maxBackoff) {
      this.maxBackoff = maxBackoff;
      return this;
    }

    public Builder retryNonIdempotent(boolean retryNonIdempotent) {
      this.retryNonIdempotent = retryNonIdempotent;
      return this;
    }

    public RetryPolicy build() {
      return new RetryPolicy(
          maxAttempts,
          perTryTimeout,
          retryOn,
          retriableStatusCodes,
          initialBackoff,
          maxBackoff,
          retryNonIdempotent);
    }
  }
}
