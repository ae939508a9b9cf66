package dev.weft.mesh.core;

import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.core.spi.AttemptOutcome;
import dev.weft.mesh.core.spi.CallRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Metrics and traces of the engine. Without a registry or an OpenTelemetry instance the methods do
 * nothing and allocate nothing. A telemetry failure never fails a call: it is logged once.
 *
 * <p>Meter names and tags are documented in {@code docs/observability.md}; tags are bounded (no
 * per-endpoint tag).
 */
final class Telemetry {
  static final String CALLS = "weft.client.calls";
  static final String ATTEMPTS = "weft.client.attempts";
  static final String RETRIES = "weft.client.retries";
  static final String HEDGES = "weft.client.hedges";
  static final String BUDGET_EXHAUSTED = "weft.client.retry.budget.exhausted";
  static final String EJECTIONS = "weft.cluster.ejections";
  static final String CONFIG_UPDATES = "weft.config.updates";

  static final AttributeKey<String> ATTR_SERVICE = AttributeKey.stringKey("weft.service");
  static final AttributeKey<String> ATTR_ROUTE = AttributeKey.stringKey("weft.route");
  static final AttributeKey<String> ATTR_CLUSTER = AttributeKey.stringKey("weft.cluster");
  static final AttributeKey<Long> ATTR_ATTEMPT = AttributeKey.longKey("weft.attempt");
  static final AttributeKey<Boolean> ATTR_HEDGE = AttributeKey.booleanKey("weft.hedge");
  static final AttributeKey<String> ATTR_SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> ATTR_SERVER_PORT = AttributeKey.longKey("server.port");
  static final AttributeKey<String> ATTR_OUTCOME = AttributeKey.stringKey("weft.outcome");
  static final AttributeKey<String> ATTR_ERROR_TYPE = AttributeKey.stringKey("error.type");

  private static final Logger log = LoggerFactory.getLogger(Telemetry.class);

  private final MeterRegistry registry;
  private final Tracer tracer;
  private final AtomicBoolean warned = new AtomicBoolean();

  Telemetry(MeterRegistry registry, OpenTelemetry openTelemetry) {
    this.registry = registry;
    this.tracer = openTelemetry == null ? null : openTelemetry.getTracer("dev.weft.mesh");
  }

  static Telemetry none() {
    return new Telemetry(null, null);
  }

  boolean tracing() {
    return tracer != null;
  }

  boolean metrics() {
    return registry != null;
  }

  RouteMetrics route(String service, String route) {
    return registry == null ? RouteMetrics.NOOP : new RouteMetrics(this, service, route);
  }

  void configUpdate(boolean accepted) {
    if (registry != null) {
      guard(
          () ->
              registry
                  .counter(CONFIG_UPDATES, "result", accepted ? "accepted" : "rejected")
                  .increment());
    }
  }

  void ejectionsChanged(String cluster, int newlyEjected) {
    if (registry != null && newlyEjected > 0) {
      guard(() -> registry.counter(EJECTIONS, "cluster", cluster).increment(newlyEjected));
    }
  }

  MeterRegistry registry() {
    return registry;
  }

  // ---- tracing ----

  Span startCallSpan(CallRequest request, String route) {
    if (tracer == null) {
      return null;
    }
    try {
      AttributesBuilder attributes =
          Attributes.builder().put(ATTR_SERVICE, request.service()).put(ATTR_ROUTE, route);
      request.spanAttributes(attributes);
      return tracer
          .spanBuilder(request.spanName())
          .setParent(request.parentContext())
          .setSpanKind(SpanKind.INTERNAL)
          .setAllAttributes(attributes.build())
          .startSpan();
    } catch (RuntimeException e) {
      warnOnce(e);
      return null;
    }
  }

  Span startAttemptSpan(
      Span callSpan,
      CallRequest request,
      EndpointState endpoint,
      String cluster,
      int attempt,
      boolean hedge) {
    if (tracer == null || callSpan == null) {
      return null;
    }
    try {
      AttributesBuilder attributes =
          Attributes.builder()
              .put(ATTR_CLUSTER, cluster)
              .put(ATTR_ATTEMPT, (long) attempt)
              .put(ATTR_HEDGE, hedge)
              .put(ATTR_SERVER_ADDRESS, endpoint.endpoint().host())
              .put(ATTR_SERVER_PORT, (long) endpoint.endpoint().port());
      request.spanAttributes(attributes);
      if (attempt > 0) {
        callSpan.addEvent(
            hedge ? "weft.hedge" : "weft.retry",
            Attributes.of(ATTR_ATTEMPT, (long) attempt, ATTR_SERVER_ADDRESS, endpoint.address()));
      }
      return tracer
          .spanBuilder(request.spanName())
          .setParent(Context.root().with(callSpan))
          .setSpanKind(SpanKind.CLIENT)
          .setAllAttributes(attributes.build())
          .startSpan();
    } catch (RuntimeException e) {
      warnOnce(e);
      return null;
    }
  }

  Context contextOf(Span span, CallRequest request) {
    if (span == null) {
      return request.parentContext();
    }
    return request.parentContext().with(span);
  }

  void endAttemptSpan(Span span, AttemptOutcome outcome) {
    if (span == null) {
      return;
    }
    try {
      span.setAttribute(ATTR_OUTCOME, outcome.statusLabel());
      if (isError(outcome)) {
        span.setStatus(StatusCode.ERROR);
        span.setAttribute(
            ATTR_ERROR_TYPE,
            outcome.isGrpc()
                ? outcome.grpcStatus()
                : outcome.kind() == AttemptOutcome.Kind.RESPONSE
                    ? Integer.toString(outcome.httpStatus())
                    : outcome.statusLabel());
      }
      span.end();
    } catch (RuntimeException e) {
      warnOnce(e);
    }
  }

  /**
   * A call to {@code cluster} ended with the decisive attempt's {@code outcome} or with {@code
   * failure}: its metrics and span.
   */
  void endCall(
      RouteMetrics metrics,
      String cluster,
      Span span,
      AttemptOutcome outcome,
      MeshException failure,
      long elapsedNanos,
      int attempts) {
    if (failure != null) {
      metrics.call(cluster, failure.reason().name(), "mesh_error", elapsedNanos);
    } else {
      metrics.call(
          cluster, outcome.statusLabel(), OutcomeClassifier.outcomeTag(outcome), elapsedNanos);
    }
    endCallSpan(span, outcome, failure, attempts);
  }

  void endCallSpan(Span span, AttemptOutcome outcome, MeshException failure, int attempts) {
    if (span == null) {
      return;
    }
    try {
      span.setAttribute(ATTR_ATTEMPT, (long) attempts);
      if (failure != null) {
        span.setStatus(StatusCode.ERROR, failure.getMessage());
        span.setAttribute(ATTR_ERROR_TYPE, failure.reason().name().toLowerCase(Locale.ROOT));
      } else if (outcome != null) {
        span.setAttribute(ATTR_OUTCOME, outcome.statusLabel());
        if (isError(outcome)) {
          span.setStatus(StatusCode.ERROR);
        }
      }
      span.end();
    } catch (RuntimeException e) {
      warnOnce(e);
    }
  }

  static boolean isError(AttemptOutcome outcome) {
    if (outcome.kind() != AttemptOutcome.Kind.RESPONSE) {
      return true;
    }
    if (outcome.isGrpc()) {
      return !outcome.grpcStatus().equals("OK");
    }
    return outcome.httpStatus() >= 500;
  }

  void guard(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      warnOnce(e);
    }
  }

  void warnOnce(RuntimeException e) {
    if (warned.compareAndSet(false, true)) {
      log.warn(
          "mesh telemetry failed; calls go on unaffected and further telemetry failures are not logged",
          e);
    }
  }

  /** The meters of one route, with per-cluster, per-status meters created once and then reused. */
  static class RouteMetrics {
    static final RouteMetrics NOOP = new RouteMetrics(null, "", "");

    private final Telemetry telemetry;
    private final String service;
    private final String route;
    private final ConcurrentMap<String, ConcurrentMap<String, Timer>> calls =
        new ConcurrentHashMap<>();
    private final ConcurrentMap<String, ConcurrentMap<String, Counter>> attempts =
        new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter[]> perCluster = new ConcurrentHashMap<>();

    RouteMetrics(Telemetry telemetry, String service, String route) {
      this.telemetry = telemetry;
      this.service = service;
      this.route = route;
    }

    void call(String cluster, String status, String outcome, long nanos) {
      if (telemetry == null) {
        return;
      }
      // Plain try/catch rather than guard(lambda): the lambda would capture and allocate per call.
      try {
        ConcurrentMap<String, Timer> byStatus = calls.get(cluster);
        if (byStatus == null) {
          byStatus = calls.computeIfAbsent(cluster, c -> new ConcurrentHashMap<>());
        }
        Timer timer = byStatus.get(status);
        if (timer == null) {
          timer =
              byStatus.computeIfAbsent(
                  status,
                  st ->
                      Timer.builder(CALLS)
                          .description(
                              "Logical calls through the mesh, retries and hedges included in the time")
                          .tags(
                              "service", service, "route", route, "cluster", cluster, "status", st,
                              "outcome", outcome)
                          .register(telemetry.registry));
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
      } catch (RuntimeException e) {
        telemetry.warnOnce(e);
      }
    }

    void attempt(String cluster, String status) {
      if (telemetry == null) {
        return;
      }
      try {
        ConcurrentMap<String, Counter> byStatus = attempts.get(cluster);
        if (byStatus == null) {
          byStatus = attempts.computeIfAbsent(cluster, c -> new ConcurrentHashMap<>());
        }
        Counter counter = byStatus.get(status);
        if (counter == null) {
          counter =
              byStatus.computeIfAbsent(
                  status,
                  st ->
                      Counter.builder(ATTEMPTS)
                          .description(
                              "Attempts sent to endpoints, first tries, retries and hedges alike")
                          .tags(
                              "service", service, "route", route, "cluster", cluster, "status", st)
                          .register(telemetry.registry));
        }
        counter.increment();
      } catch (RuntimeException e) {
        telemetry.warnOnce(e);
      }
    }

    void retry(String cluster) {
      counter(cluster, 0);
    }

    void hedge(String cluster) {
      counter(cluster, 1);
    }

    void budgetExhausted(String cluster) {
      counter(cluster, 2);
    }

    private void counter(String cluster, int which) {
      if (telemetry == null) {
        return;
      }
      try {
        Counter[] counters = perCluster.get(cluster);
        if (counters == null) {
          counters =
              perCluster.computeIfAbsent(
                  cluster,
                  c ->
                      new Counter[] {
                        Counter.builder(RETRIES)
                            .description("Retries sent")
                            .tags("service", service, "route", route, "cluster", c)
                            .register(telemetry.registry),
                        Counter.builder(HEDGES)
                            .description("Hedged attempts sent")
                            .tags("service", service, "route", route, "cluster", c)
                            .register(telemetry.registry),
                        Counter.builder(BUDGET_EXHAUSTED)
                            .description(
                                "Retries or hedges not sent because the retry budget was spent")
                            .tags("service", service, "route", route, "cluster", c)
                            .register(telemetry.registry)
                      });
        }
        counters[which].increment();
      } catch (RuntimeException e) {
        telemetry.warnOnce(e);
      }
    }
  }
}
