package dev.weft.mesh.resilience4j;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.config.Resilience4jInstances;
import dev.weft.mesh.core.spi.CallGuard;
import dev.weft.mesh.core.spi.CallGuardFactory;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRateLimiterMetrics;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Resolves the Resilience4j instances that routes and clusters name ({@code resilience4j:
 * {circuitBreaker: reviews, bulkhead: reviews, rateLimiter: reviews}}) against the application's
 * registries, and guards each of their calls with them. Give it to the mesh:
 *
 * <pre>{@code
 * Mesh mesh = Mesh.builder()
 *     .configSource(FileConfigSource.builder(Path.of("mesh.yaml")).build())
 *     .callGuards(Resilience4jCallGuards.builder()
 *         .circuitBreakerRegistry(circuitBreakers)
 *         .bulkheadRegistry(bulkheads)
 *         .build())
 *     .build();
 * }</pre>
 *
 * <p><b>Names.</b> A name must be an instance its registry already has (Spring Boot's Resilience4j
 * creates one for each {@code resilience4j.circuitbreaker.instances.<name>}); otherwise the
 * configuration is rejected whole, with an error that names the route or cluster, the name and the
 * instances the registry has, and the configuration in force stays. A typo so never guards calls
 * with a breaker nobody configured. With {@link Builder#createMissingInstances(boolean)} a missing
 * name is created instead, from the registry's configuration of that name if it has one, else its
 * default, as Resilience4j's annotations do.
 *
 * <p><b>Never waiting.</b> The mesh's call path never blocks, so a bulkhead must have a zero {@code
 * maxWaitDuration} and a rate limiter a zero {@code timeoutDuration} (Resilience4j's default for
 * the rate limiter is 5 s); otherwise the configuration is rejected. Over the limit, a call fails
 * at once. Thread-pool bulkheads are not supported: the mesh runs no call on a pool of its own.
 *
 * <p><b>Meters.</b> {@link Builder#meterRegistry(MeterRegistry)} binds Resilience4j's own tagged
 * Micrometer meters ({@code resilience4j.circuitbreaker.*}, {@code resilience4j.bulkhead.*}, {@code
 * resilience4j.ratelimiter.*}) for every instance of the given registries. Leave it out where
 * something else binds them already (Resilience4j's Spring Boot auto-configuration does).
 *
 * <p>Thread-safe; the guards it makes are lock-free on the mesh's side (the breaker's sliding
 * window is Resilience4j's own).
 */
public final class Resilience4jCallGuards implements CallGuardFactory {
  private static final int NAMES_SHOWN = 20;

  private final CircuitBreakerRegistry circuitBreakers;
  private final BulkheadRegistry bulkheads;
  private final RateLimiterRegistry rateLimiters;
  private final boolean createMissing;

  private Resilience4jCallGuards(Builder b) {
    this.circuitBreakers = b.circuitBreakers;
    this.bulkheads = b.bulkheads;
    this.rateLimiters = b.rateLimiters;
    this.createMissing = b.createMissing;
    if (b.meterRegistry != null) {
      if (circuitBreakers != null) {
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(circuitBreakers)
            .bindTo(b.meterRegistry);
      }
      if (bulkheads != null) {
        TaggedBulkheadMetrics.ofBulkheadRegistry(bulkheads).bindTo(b.meterRegistry);
      }
      if (rateLimiters != null) {
        TaggedRateLimiterMetrics.ofRateLimiterRegistry(rateLimiters).bindTo(b.meterRegistry);
      }
    }
  }

  /** A builder; give it at least the registries whose instances the configuration names. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public CallGuard create(String owner, Resilience4jInstances instances) {
    requireNonNull(owner, "owner");
    requireNonNull(instances, "instances");
    CircuitBreaker breaker =
        instances.circuitBreaker().isEmpty()
            ? null
            : resolve(
                owner,
                "circuit breaker",
                "CircuitBreakerRegistry",
                "circuitBreakerRegistry",
                instances.circuitBreaker(),
                circuitBreakers == null ? null : circuitBreakers::find,
                () -> circuitBreakers.getAllCircuitBreakers().stream().map(CircuitBreaker::getName),
                name ->
                    circuitBreakers.getConfiguration(name).isPresent()
                        ? circuitBreakers.circuitBreaker(name, name)
                        : circuitBreakers.circuitBreaker(name));
    Bulkhead bulkhead =
        instances.bulkhead().isEmpty()
            ? null
            : resolve(
                owner,
                "bulkhead",
                "BulkheadRegistry",
                "bulkheadRegistry",
                instances.bulkhead(),
                bulkheads == null ? null : bulkheads::find,
                () -> bulkheads.getAllBulkheads().stream().map(Bulkhead::getName),
                name ->
                    bulkheads.getConfiguration(name).isPresent()
                        ? bulkheads.bulkhead(name, name)
                        : bulkheads.bulkhead(name));
    if (bulkhead != null) {
      refuseWaiting(
          owner,
          "bulkhead",
          bulkhead.getName(),
          bulkhead.getBulkheadConfig().getMaxWaitDuration(),
          "maxWaitDuration");
    }
    RateLimiter rateLimiter =
        instances.rateLimiter().isEmpty()
            ? null
            : resolve(
                owner,
                "rate limiter",
                "RateLimiterRegistry",
                "rateLimiterRegistry",
                instances.rateLimiter(),
                rateLimiters == null ? null : rateLimiters::find,
                () -> rateLimiters.getAllRateLimiters().stream().map(RateLimiter::getName),
                name ->
                    rateLimiters.getConfiguration(name).isPresent()
                        ? rateLimiters.rateLimiter(name, name)
                        : rateLimiters.rateLimiter(name));
    if (rateLimiter != null) {
      refuseWaiting(
          owner,
          "rate limiter",
          rateLimiter.getName(),
          rateLimiter.getRateLimiterConfig().getTimeoutDuration(),
          "timeoutDuration");
    }
    return new Resilience4jCallGuard(owner, breaker, rateLimiter, bulkhead);
  }

  /** Refuses an instance that would make a call wait for a permission: the mesh never blocks. */
  private static void refuseWaiting(
      String owner, String kind, String name, Duration wait, String setting) {
    if (!wait.isZero()) {
      throw new IllegalArgumentException(
          owner
              + " names "
              + kind
              + " '"
              + name
              + "', which waits up to "
              + wait
              + " for a permission ("
              + setting
              + "); the mesh never blocks a call, so set its "
              + setting
              + " to 0");
    }
  }

  private <E> E resolve(
      String owner,
      String kind,
      String registryType,
      String builderMethod,
      String name,
      Function<String, Optional<E>> find,
      Supplier<java.util.stream.Stream<String>> known,
      Function<String, E> create) {
    if (find == null) {
      throw new IllegalArgumentException(
          owner
              + " names "
              + kind
              + " '"
              + name
              + "', but no "
              + registryType
              + " was given to Resilience4jCallGuards (Builder."
              + builderMethod
              + ")");
    }
    Optional<E> found = find.apply(name);
    if (found.isPresent()) {
      return found.get();
    }
    if (createMissing) {
      return create.apply(name);
    }
    Set<String> names = known.get().collect(Collectors.toCollection(TreeSet::new));
    String has =
        names.isEmpty()
            ? "it has none"
            : "it has "
                + names.stream()
                    .limit(NAMES_SHOWN)
                    .map(n -> "'" + n + "'")
                    .collect(Collectors.joining(", "))
                + (names.size() > NAMES_SHOWN
                    ? " and " + (names.size() - NAMES_SHOWN) + " more"
                    : "");
    throw new IllegalArgumentException(
        owner
            + " names "
            + kind
            + " '"
            + name
            + "', which the "
            + registryType
            + " does not have ("
            + has
            + ")");
  }

  /** Builds {@link Resilience4jCallGuards}. */
  public static final class Builder {
    private CircuitBreakerRegistry circuitBreakers;
    private BulkheadRegistry bulkheads;
    private RateLimiterRegistry rateLimiters;
    private MeterRegistry meterRegistry;
    private boolean createMissing;

    private Builder() {}

    /** Where {@code circuitBreaker} names are looked up. */
    public Builder circuitBreakerRegistry(CircuitBreakerRegistry registry) {
      this.circuitBreakers = requireNonNull(registry, "registry");
      return this;
    }

    /** Where {@code bulkhead} names are looked up (semaphore bulkheads). */
    public Builder bulkheadRegistry(BulkheadRegistry registry) {
      this.bulkheads = requireNonNull(registry, "registry");
      return this;
    }

    /** Where {@code rateLimiter} names are looked up. */
    public Builder rateLimiterRegistry(RateLimiterRegistry registry) {
      this.rateLimiters = requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Binds Resilience4j's tagged Micrometer meters of the given registries' instances to {@code
     * meterRegistry}; by default none are bound here.
     */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = requireNonNull(meterRegistry, "meterRegistry");
      return this;
    }

    /**
     * Whether a name its registry does not have creates the instance (from the registry's
     * configuration of that name, else its default) instead of rejecting the configuration; default
     * {@code false}.
     */
    public Builder createMissingInstances(boolean createMissing) {
      this.createMissing = createMissing;
      return this;
    }

    public Resilience4jCallGuards build() {
      return new Resilience4jCallGuards(this);
    }
  }
}
