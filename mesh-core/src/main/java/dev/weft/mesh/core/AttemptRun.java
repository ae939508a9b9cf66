package dev.weft.mesh.core;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.core.internal.health.OutcomeClass;
import dev.weft.mesh.core.spi.Attempt;
import dev.weft.mesh.core.spi.AttemptContext;
import dev.weft.mesh.core.spi.AttemptOutcome;
import dev.weft.mesh.core.spi.AttemptSink;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt of a {@link CallExecution}: its context for the adapter and its sink back into the
 * loop. It carries its {@link RetryPermit} from start to end. As a Runnable it launches itself, so
 * that starting an attempt outside the call's monitor costs no extra object.
 */
final class AttemptRun<R> implements AttemptContext, AttemptSink<R>, Runnable {
  // The call's logger: a twice-reported attempt is the loop's concern.
  private static final Logger log = LoggerFactory.getLogger(CallExecution.class);

  private final CallExecution<R> call;
  final int number;
  final boolean hedge;
  final EndpointState endpoint;
  final long timeoutNanos;
  final RetryPermit permit;
  long startNanos;
  Span span;
  // Made once, on first use; a race makes two equal contexts, either of which is right.
  private Context traceContext;
  // Guarded by the call's monitor.
  Attempt handle;
  boolean completed;
  boolean cancelled;
  boolean committedWinner;
  R result;
  AttemptOutcome outcome;
  private volatile boolean reported;

  AttemptRun(
      CallExecution<R> call,
      int number,
      boolean hedge,
      EndpointState endpoint,
      long timeoutNanos,
      RetryPermit permit) {
    this.call = call;
    this.number = number;
    this.hedge = hedge;
    this.endpoint = endpoint;
    this.timeoutNanos = timeoutNanos;
    this.permit = permit;
  }

  /** Starts the attempt through the adapter; called outside the call's monitor. */
  @Override
  public void run() {
    Attempt started;
    try {
      started = call.adapter.start(this, this);
    } catch (RuntimeException e) {
      call.onStartFailure(this, e);
      return;
    }
    call.onStarted(this, started);
  }

  /** The attempt ended (or never started): tells its endpoint and gives its retry permit back. */
  void end(long latencyNanos, long nowNanos, OutcomeClass outcome) {
    endpoint.onAttemptEnd(latencyNanos, nowNanos, outcome);
    permit.release();
  }

  @Override
  public Endpoint endpoint() {
    return endpoint.endpoint();
  }

  @Override
  public Cluster cluster() {
    return call.target.cluster.config();
  }

  @Override
  public int attemptNumber() {
    return number;
  }

  @Override
  public boolean hedge() {
    return hedge;
  }

  @Override
  public boolean mirror() {
    return false;
  }

  @Override
  public long timeoutNanos() {
    return timeoutNanos;
  }

  @Override
  public Context traceContext() {
    Context c = traceContext;
    if (c == null) {
      c = call.engine.telemetry().contextOf(span, call.request);
      traceContext = c;
    }
    return c;
  }

  @Override
  public boolean commit() {
    return call.commit(this);
  }

  @Override
  public void complete(R result, AttemptOutcome outcome) {
    if (reported) {
      log.warn(
          "an attempt to {} reported its completion twice; the second report is ignored",
          endpoint.address());
      return;
    }
    reported = true;
    call.onAttemptComplete(this, result, outcome);
  }
}
