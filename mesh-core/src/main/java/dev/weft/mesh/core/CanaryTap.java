package dev.weft.mesh.core;

import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.core.internal.canary.OutcomeRecorder;
import dev.weft.mesh.core.spi.AttemptOutcome;
import io.opentelemetry.api.trace.Span;

/**
 * Where a guarded destination's calls report their outcome: the call path's one contact with the
 * canary guard. Lock-free and allocation-free, apart from the one span event after a rollback.
 */
final class CanaryTap {
  final CanaryGuard guard;
  final OutcomeRecorder recorder;

  CanaryTap(CanaryGuard guard, OutcomeRecorder recorder) {
    this.guard = guard;
    this.recorder = recorder;
  }

  /**
   * Records a finished call. What says nothing of the destination is not counted: a caller's
   * cancellation, a fault the route injected, the route's own rate limit.
   */
  void record(MeshException failure, AttemptOutcome outcome, long elapsedNanos, Span span) {
    boolean failed;
    if (failure != null) {
      MeshException.Reason r = failure.reason();
      if (r == MeshException.Reason.CANCELLED
          || r == MeshException.Reason.FAULT_INJECTED
          || r == MeshException.Reason.RATE_LIMITED) {
        return;
      }
      failed = true;
    } else if (outcome.kind() == AttemptOutcome.Kind.CANCELLED) {
      return;
    } else {
      failed = Telemetry.isError(outcome);
    }
    recorder.record(failed, elapsedNanos);
    if (span != null) {
      guard.annotate(span);
    }
  }
}
