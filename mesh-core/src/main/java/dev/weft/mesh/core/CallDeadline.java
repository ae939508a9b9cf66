package dev.weft.mesh.core;

import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.api.runtime.Nanos;
import dev.weft.mesh.core.spi.CallRequest;

/**
 * The deadline arithmetic of one call, on the ticker's nanoseconds: when the deadline is, how much
 * of it is left, whether a timer fires before it, and the failure of a call it ends. A deadline of
 * {@link #NONE} never passes. Stateless; the attempt loop keeps its call's deadline as a {@code
 * long}.
 */
final class CallDeadline {
  /** The deadline of a call without one. */
  static final long NONE = Long.MAX_VALUE;

  private CallDeadline() {}

  /** The deadline of a call started at {@code startNanos} with {@code timeoutNanos} to run. */
  static long of(long startNanos, long timeoutNanos) {
    return timeoutNanos == Long.MAX_VALUE ? NONE : Nanos.add(startNanos, timeoutNanos);
  }

  /** The nanoseconds left at {@code nowNanos}, {@link Long#MAX_VALUE} without a deadline. */
  static long remaining(long deadlineNanos, long nowNanos) {
    return deadlineNanos == NONE ? Long.MAX_VALUE : deadlineNanos - nowNanos;
  }

  /** Whether a timer of {@code delayNanos} set at {@code nowNanos} fires before the deadline. */
  static boolean firesBefore(long deadlineNanos, long nowNanos, long delayNanos) {
    return deadlineNanos == NONE || Nanos.add(nowNanos, delayNanos) < deadlineNanos;
  }

  /** The failure of a call to {@code request}'s service whose deadline passed {@code when}. */
  static MeshException exceeded(CallRequest request, String when) {
    return new MeshException(
        MeshException.Reason.DEADLINE_EXCEEDED,
        "the deadline of the call to '" + request.service() + "' passed " + when);
  }
}
