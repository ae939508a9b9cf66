package dev.weft.mesh.api.config;

import dev.weft.mesh.api.internal.Checks;
import java.time.Duration;
import java.util.List;

/**
 * A rule that takes the calls matching {@link #match()} and says where they go and under which
 * policies. A service's routes are tried in order; the first that matches takes the call.
 *
 * @param name a name for metrics, logs and errors, unique within its service
 * @param match which calls the route takes
 * @param destinations where calls go, split by weight
 * @param timeout the overall time a call may take, retries included; zero means no route timeout
 *     (the caller's own deadline still applies)
 * @param retry retries of failed attempts
 * @param hedging extra attempts for slow calls; a route has retries or hedging, not both
 * @param fault deliberate delays and failures
 * @param mirrors shadow copies of calls
 * @param hashPolicies what hashing load balancers hash
 * @param rateLimit a local limit on the calls this route sends
 * @param resilience4j the application's Resilience4j instances that guard each call of this route
 * @param canary a canary guard over two of the destinations, or {@link CanaryPolicy#NONE}
 */
public record Route(
    String name,
    RouteMatch match,
    List<Destination> destinations,
    Duration timeout,
    RetryPolicy retry,
    HedgingPolicy hedging,
    FaultInjection fault,
    List<MirrorPolicy> mirrors,
    List<HashPolicy> hashPolicies,
    LocalRateLimit rateLimit,
    Resilience4jInstances resilience4j,
    CanaryPolicy canary) {

  /** A route guarded by no Resilience4j instance and no canary guard. */
  public Route(
      String name,
      RouteMatch match,
      List<Destination> destinations,
      Duration timeout,
      RetryPolicy retry,
      HedgingPolicy hedging,
      FaultInjection fault,
      List<MirrorPolicy> mirrors,
      List<HashPolicy> hashPolicies,
      LocalRateLimit rateLimit) {
    this(
        name,
        match,
        destinations,
        timeout,
        retry,
        hedging,
        fault,
        mirrors,
        hashPolicies,
        rateLimit,
        Resilience4jInstances.NONE,
        CanaryPolicy.NONE);
  }

  public Route {
    destinations = Checks.listAllowingNulls(destinations);
    mirrors = Checks.listAllowingNulls(mirrors);
    hashPolicies = Checks.listAllowingNulls(hashPolicies);
    Checks c = Checks.start();
    c.name(name, "name");
    c.notNull(match, "match");
    c.require(!destinations.isEmpty(), "destinations", "must name at least one destination");
    Checks.elementsNotNull(c, destinations, "destinations");
    if (!destinations.isEmpty()
        && destinations.stream().allMatch(d -> d != null && d.weight() == 0)) {
      c.add("destinations", "at least one destination must have a weight above 0");
    }
    long total = destinations.stream().filter(d -> d != null).mapToLong(Destination::weight).sum();
    c.require(
        total <= Integer.MAX_VALUE,
        "destinations",
        "weights must not add up to more than %d",
        Integer.MAX_VALUE);
    c.nonNegative(timeout, "timeout");
    c.notNull(retry, "retry");
    c.notNull(hedging, "hedging");
    if (retry != null && hedging != null) {
      c.require(
          !(retry.enabled() && hedging.enabled()),
          "hedging",
          "a route may have retries or hedging, not both");
    }
    c.notNull(fault, "fault");
    Checks.elementsNotNull(c, mirrors, "mirrors");
    Checks.elementsNotNull(c, hashPolicies, "hashPolicies");
    c.notNull(rateLimit, "rateLimit");
    c.notNull(resilience4j, "resilience4j");
    if (c.notNull(canary, "canary") && canary.enabled()) {
      canaryDestinations(c, canary, destinations);
    }
    c.throwIfAny();
  }

  private static void canaryDestinations(
      Checks c, CanaryPolicy canary, List<Destination> destinations) {
    List<String> refs =
        destinations.stream().filter(d -> d != null).map(CanaryPolicy::ref).toList();
    for (String key : List.of("baseline", "canary")) {
      String ref = key.equals("baseline") ? canary.baseline() : canary.canary();
      long n = refs.stream().filter(ref::equals).count();
      if (n != 1) {
        c.add(
            "canary." + key,
            n == 0
                ? "names '" + ref + "', which is not a destination of the route " + refs
                : "names '" + ref + "', which the route has " + n + " times; name it once");
      }
    }
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  public Builder toBuilder() {
    return new Builder(name)
        .match(match)
        .destinations(destinations)
        .timeout(timeout)
        .retry(retry)
        .hedging(hedging)
        .fault(fault)
        .mirrors(mirrors)
        .hashPolicies(hashPolicies)
        .rateLimit(rateLimit)
        .resilience4j(resilience4j)
        .canary(canary);
  }

  /** Builds a {@link Route}: matches everything and has no policies until told otherwise. */
  public static final class Builder {
    private final String name;
    private RouteMatch match = RouteMatch.ANY;
    private List<Destination> destinations = List.of();
    private Duration timeout = Duration.ZERO;
    private RetryPolicy retry = RetryPolicy.NONE;
    private HedgingPolicy hedging = HedgingPolicy.NONE;
    private FaultInjection fault = FaultInjection.NONE;
    private List<MirrorPolicy> mirrors = List.of();
    private List<HashPolicy> hashPolicies = List.of();
    private LocalRateLimit rateLimit = LocalRateLimit.UNLIMITED;
    private Resilience4jInstances resilience4j = Resilience4jInstances.NONE;
    private CanaryPolicy canary = CanaryPolicy.NONE;

    private Builder(String name) {
      this.name = name;
    }

    public Builder match(RouteMatch match) {
      this.match = match;
      return this;
    }

    public Builder destinations(List<Destination> destinations) {
      this.destinations = destinations;
      return this;
    }

    public Builder destinations(Destination... destinations) {
      return destinations(List.of(destinations));
    }

    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    public Builder retry(RetryPolicy retry) {
      this.retry = retry;
      return this;
    }

    public Builder hedging(HedgingPolicy hedging) {
      this.hedging = hedging;
      return this;
    }

    public Builder fault(FaultInjection fault) {
      this.fault = fault;
      return this;
    }

    public Builder mirrors(List<MirrorPolicy> mirrors) {
      this.mirrors = mirrors;
      return this;
    }

    public Builder hashPolicies(List<HashPolicy> hashPolicies) {
      this.hashPolicies = hashPolicies;
      return this;
    }

    public Builder rateLimit(LocalRateLimit rateLimit) {
      this.rateLimit = rateLimit;
      return this;
    }

    /** The application's Resilience4j instances that guard each call of the route. */
    public Builder resilience4j(Resilience4jInstances resilience4j) {
      this.resilience4j = resilience4j;
      return this;
    }

    /** A canary guard over two of the route's destinations. */
    public Builder canary(CanaryPolicy canary) {
      this.canary = canary;
      return this;
    }

    public Route build() {
      return new Route(
          name,
          match,
          destinations,
          timeout,
          retry,
          hedging,
          fault,
          mirrors,
          hashPolicies,
          rateLimit,
          resilience4j,
          canary);
    }
  }
}
