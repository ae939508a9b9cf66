package dev.weft.mesh.core;

import dev.weft.mesh.core.spi.AttemptOutcome;
import dev.weft.mesh.core.spi.CallRequest;
import io.opentelemetry.api.trace.Span;

/**
 * What the start and the end of an attempt record outside the attempt loop's state: the endpoint's
 * load, latency and outcome (and, through {@link AttemptRun#end}, the attempt's retry permit given
 * back), the route's latency tracker, the attempt meter and the attempt's span. Stateless.
 */
final class AttemptRecording {
  private AttemptRecording() {}

  /** {@code run} starts at {@code nowNanos} on its endpoint, as a child of {@code callSpan}. */
  static void started(
      EngineContext engine,
      RouteTarget target,
      CallRequest request,
      Span callSpan,
      AttemptRun<?> run,
      long nowNanos) {
    run.endpoint.onAttemptStart();
    run.span =
        engine
            .telemetry()
            .startAttemptSpan(
                callSpan, request, run.endpoint, target.cluster.name(), run.number, run.hedge);
    run.startNanos = nowNanos;
  }

  /** {@code run} ended at {@code nowNanos} with {@code outcome}. */
  static void ended(
      EngineContext engine,
      CompiledRoute route,
      RouteTarget target,
      AttemptRun<?> run,
      AttemptOutcome outcome,
      long nowNanos) {
    long latency = nowNanos - run.startNanos;
    run.end(latency, nowNanos, OutcomeClassifier.outlierClass(outcome));
    if (route.latency != null && OutcomeClassifier.success(outcome)) {
      route.latency.record(latency);
    }
    route.metrics.attempt(target.cluster.name(), outcome.statusLabel());
    engine.attemptEnded(target.destination, !Telemetry.isError(outcome), latency);
    if (outcome.kind() == AttemptOutcome.Kind.CONNECT_FAILURE) {
      engine.connectFailed(target.cluster.name(), run.endpoint.endpoint());
    }
    engine.telemetry().endAttemptSpan(run.span, outcome);
  }
}
