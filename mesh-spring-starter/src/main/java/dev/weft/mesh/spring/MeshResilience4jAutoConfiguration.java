package dev.weft.mesh.spring;

import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.core.spi.CallGuardFactory;
import dev.weft.mesh.resilience4j.Resilience4jCallGuards;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetricsPublisher;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetricsPublisher;
import io.github.resilience4j.micrometer.tagged.TaggedRateLimiterMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRateLimiterMetricsPublisher;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * Lets routes and clusters name the application's Resilience4j instances ({@code resilience4j:
 * {circuitBreaker: reviews}} in the mesh's YAML): when {@code mesh-resilience4j} is on the class
 * path and the application has a {@link CircuitBreakerRegistry}, {@link BulkheadRegistry} or {@link
 * RateLimiterRegistry} bean (Resilience4j's Spring Boot 4 module, {@code
 * io.github.resilience4j:resilience4j-spring-boot4}, makes them from {@code resilience4j.*}
 * properties; or define them yourself), a {@link Resilience4jCallGuards} over those registries is
 * given to the mesh. A {@link CallGuardFactory} bean of the application's own replaces it.
 *
 * <p>Resilience4j's tagged Micrometer meters of these registries are bound to the application's
 * {@link MeterRegistry} unless Resilience4j's own auto-configuration publishes them already (a
 * {@code Tagged*MetricsPublisher} or {@code Tagged*Metrics} bean), so that no meter is recorded
 * twice.
 */
@AutoConfiguration(
    before = MeshAutoConfiguration.class,
    afterName = {
      "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      "io.github.resilience4j.springboot.circuitbreaker.autoconfigure.CircuitBreakerAutoConfiguration",
      "io.github.resilience4j.springboot.circuitbreaker.autoconfigure.CircuitBreakerMetricsAutoConfiguration",
      "io.github.resilience4j.springboot.bulkhead.autoconfigure.BulkheadAutoConfiguration",
      "io.github.resilience4j.springboot.bulkhead.autoconfigure.BulkheadMetricsAutoConfiguration",
      "io.github.resilience4j.springboot.ratelimiter.autoconfigure.RateLimiterAutoConfiguration",
      "io.github.resilience4j.springboot.ratelimiter.autoconfigure.RateLimiterMetricsAutoConfiguration"
    })
@ConditionalOnClass({Mesh.class, Resilience4jCallGuards.class, CircuitBreakerRegistry.class})
@Conditional(MeshResilience4jAutoConfiguration.AnyRegistry.class)
public class MeshResilience4jAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(CallGuardFactory.class)
  Resilience4jCallGuards meshResilience4jCallGuards(
      ObjectProvider<CircuitBreakerRegistry> circuitBreakers,
      ObjectProvider<BulkheadRegistry> bulkheads,
      ObjectProvider<RateLimiterRegistry> rateLimiters,
      ObjectProvider<MeterRegistry> meterRegistry,
      ListableBeanFactory beans) {
    Resilience4jCallGuards.Builder b = Resilience4jCallGuards.builder();
    MeterRegistry meters = meterRegistry.getIfUnique();
    CircuitBreakerRegistry cb = circuitBreakers.getIfUnique();
    if (cb != null) {
      b.circuitBreakerRegistry(cb);
      if (meters != null
          && none(
              beans,
              TaggedCircuitBreakerMetricsPublisher.class,
              TaggedCircuitBreakerMetrics.class)) {
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(cb).bindTo(meters);
      }
    }
    BulkheadRegistry bh = bulkheads.getIfUnique();
    if (bh != null) {
      b.bulkheadRegistry(bh);
      if (meters != null
          && none(beans, TaggedBulkheadMetricsPublisher.class, TaggedBulkheadMetrics.class)) {
        TaggedBulkheadMetrics.ofBulkheadRegistry(bh).bindTo(meters);
      }
    }
    RateLimiterRegistry rl = rateLimiters.getIfUnique();
    if (rl != null) {
      b.rateLimiterRegistry(rl);
      if (meters != null
          && none(beans, TaggedRateLimiterMetricsPublisher.class, TaggedRateLimiterMetrics.class)) {
        TaggedRateLimiterMetrics.ofRateLimiterRegistry(rl).bindTo(meters);
      }
    }
    return b.build();
  }

  private static boolean none(ListableBeanFactory beans, Class<?>... types) {
    for (Class<?> type : types) {
      if (beans.getBeanNamesForType(type, false, false).length > 0) {
        return false;
      }
    }
    return true;
  }

  /** At least one of the registries is a bean. */
  static final class AnyRegistry extends AnyNestedCondition {
    AnyRegistry() {
      super(ConfigurationPhase.REGISTER_BEAN);
    }

    @ConditionalOnBean(CircuitBreakerRegistry.class)
    static final class CircuitBreakers {}

    @ConditionalOnBean(BulkheadRegistry.class)
    static final class Bulkheads {}

    @ConditionalOnBean(RateLimiterRegistry.class)
    static final class RateLimiters {}
  }
}
