package dev.weft.mesh.core;

import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.api.runtime.Scheduler;
import dev.weft.mesh.core.internal.health.OutcomeClass;
import dev.weft.mesh.core.spi.Attempt;
import dev.weft.mesh.core.spi.AttemptAdapter;
import dev.weft.mesh.core.spi.AttemptOutcome;
import dev.weft.mesh.core.spi.CallGuard;
import dev.weft.mesh.core.spi.CallHandle;
import dev.weft.mesh.core.spi.CallListener;
import dev.weft.mesh.core.spi.CallRequest;
import io.opentelemetry.api.trace.Span;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The attempt loop of one call, written once for every protocol: after {@link Admission} (rate
 * limit, circuit breaking), {@link Faults} and {@link Mirroring}, attempts with per-try timeouts,
 * retries with backoff to other endpoints, or hedging, all bounded by the retry budget and the
 * deadline.
 *
 * <p>Where the call is lives in one {@link CallState}; every change goes through {@link
 * CallState#moveTo}, which throws on a change the state diagram does not have. Every retry or hedge
 * carries its own {@link RetryPermit}, given back when the attempt ends (or at once if it never
 * starts).
 *
 * <p>Threading: events arrive from the caller's thread, adapters' threads and the scheduler. The
 * state of one call is guarded by its own monitor (as grpc-java's retriable stream does); no lock
 * is shared between calls, and listeners, adapters and cancellations are always invoked outside it.
 */
final class CallExecution<R> implements CallHandle {
  private static final Logger log = LoggerFactory.getLogger(CallExecution.class);

  // Read by this call's attempts too.
  final EngineContext engine;
  final CallRequest request;
  final AttemptAdapter<R> adapter;
  private final CallListener<R> listener;
  private final CompiledRoute route;
  final RouteTarget target;
  private final long startNanos;
  private final long deadlineNanos;
  private final int maxAttempts;
  private final boolean hedging;
  private final Span callSpan;

  // Guarded by this.
  private final StartedAttempts<R> attempts;
  private CallState state = CallState.NEW;
  private int inFlight;
  private AttemptRun<R> pending; // a finished, failed attempt whose result may yet be the answer
  private RetryPermit backoffPermit = RetryPermit.NONE; // the next retry's, held while it backs off
  private Scheduler.Cancellable timer;

  // Set before the call leaves NEW or DELAYED, read when it ends: which guards admitted it.
  private boolean routeGuarded;
  private boolean clusterGuarded;

  CallExecution(
      EngineContext engine,
      CallRequest request,
      AttemptAdapter<R> adapter,
      CallListener<R> listener,
      CompiledRoute route,
      RouteTarget target,
      long startNanos) {
    this.engine = engine;
    this.request = request;
    this.adapter = adapter;
    this.listener = listener;
    this.route = route;
    this.target = target;
    this.startNanos = startNanos;
    this.deadlineNanos =
        CallDeadline.of(startNanos, Math.min(request.timeoutNanos(), route.timeoutNanos));
    this.hedging = Repeats.hedges(route, request);
    this.maxAttempts = Repeats.maxAttempts(route, request);
    boolean keyed = RequestHash.keyed(route.hashPolicies, request);
    this.attempts =
        new StartedAttempts<>(
            maxAttempts, keyed, keyed ? RequestHash.hash(route.hashPolicies, request) : 0);
    this.callSpan = engine.telemetry().startCallSpan(request, route.name());
  }

  // ---- the call ----

  /** Runs the call's admission steps and its first attempt. Called once, on the caller's thread. */
  void start() {
    MeshException limited = Admission.rateLimit(route);
    if (limited != null) {
      failEarly(limited);
      return;
    }
    switch (Faults.decide(route, request, engine.random())) {
      case ABORT -> failEarly(Faults.abort(route));
      case DELAY -> hold(false);
      case DELAY_THEN_ABORT -> hold(true);
      case NONE -> admit();
    }
  }

  /**
   * Holds the call for its fault-injected delay, then aborts or admits it; the deadline still
   * applies.
   */
  private void hold(boolean abort) {
    synchronized (this) {
      state = state.moveTo(CallState.DELAYED);
    }
    long delayNanos = Faults.delayNanos(route);
    long remaining = remainingNanos();
    Scheduler.Cancellable t =
        delayNanos >= remaining
            ? engine
                .scheduler()
                .schedule(() -> failEarly(deadlineExceeded(Faults.whileDelayed(route))), remaining)
            : engine.scheduler().schedule(() -> afterFaultDelay(abort), delayNanos);
    synchronized (this) {
      if (state == CallState.DONE) {
        t.cancel();
      } else if (state == CallState.DELAYED) {
        timer = t;
      }
    }
  }

  private void afterFaultDelay(boolean abort) {
    synchronized (this) {
      timer = null;
      if (state == CallState.DONE) {
        return;
      }
    }
    if (abort) {
      failEarly(Faults.abort(route));
    } else {
      admit();
    }
  }

  private void admit() {
    MeshException refused = route.guard == null && target.guard == null ? null : admitByGuards();
    if (refused == null) {
      refused = Admission.admit(target.cluster);
    }
    if (refused != null) {
      failEarly(refused);
      return;
    }
    synchronized (this) {
      state = state.moveTo(CallState.RUNNING);
    }
    if (route.mirrors.length > 0) {
      Mirroring.start(
          engine, route, request, adapter, Math.min(remainingNanos(), route.perTryTimeoutNanos));
    }
    List<Runnable> after = new ArrayList<>(2);
    synchronized (this) {
      startAttempt(false, RetryPermit.NONE, after);
    }
    runAll(after);
  }

  /**
   * Asks the route's guard, then the cluster's, to admit the call: null when both did (or the one
   * there is), else the call's failure. A guard that admitted the call hears its end in {@link
   * #finishLocked}, even when a later step refuses it.
   */
  private MeshException admitByGuards() {
    MeshException refused = null;
    boolean routeAdmitted = false;
    boolean clusterAdmitted = false;
    if (route.guard != null) {
      refused = tryAdmit(route.guard);
      routeAdmitted = refused == null;
    }
    if (refused == null && target.guard != null) {
      refused = tryAdmit(target.guard);
      clusterAdmitted = refused == null;
    }
    boolean ended;
    synchronized (this) {
      ended = state == CallState.DONE;
      if (!ended) {
        routeGuarded = routeAdmitted;
        clusterGuarded = clusterAdmitted;
      }
    }
    if (ended) {
      // The caller cancelled meanwhile, and the call's end did not see these guards.
      MeshException cancelled =
          new MeshException(MeshException.Reason.CANCELLED, "the caller cancelled the call");
      endGuards(
          routeAdmitted ? route.guard : null,
          clusterAdmitted ? target.guard : null,
          null,
          cancelled,
          engine.ticker().nanoTime() - startNanos);
      return cancelled;
    }
    return refused;
  }

  private static MeshException tryAdmit(CallGuard guard) {
    try {
      return guard.tryAdmit();
    } catch (RuntimeException e) {
      log.error("a call guard failed to admit a call", e);
      return new MeshException(
          MeshException.Reason.INTERNAL_ERROR, "a call guard failed to admit the call: " + e, e);
    }
  }

  /**
   * Starts the next attempt, which carries {@code permit} ({@link RetryPermit#NONE} for the first)
   * and gives it back when it ends; when no attempt can start the permit is given back at once.
   * Caller holds the monitor; side effects to run unlocked go to {@code after}.
   */
  private void startAttempt(boolean hedge, RetryPermit permit, List<Runnable> after) {
    AttemptRun<R> run = newAttempt(hedge, permit, after);
    if (run == null) {
      permit.release();
    } else {
      after.add(run);
    }
  }

  private AttemptRun<R> newAttempt(boolean hedge, RetryPermit permit, List<Runnable> after) {
    if (state == CallState.DONE) {
      return null;
    }
    long now = engine.ticker().nanoTime();
    long remaining = CallDeadline.remaining(deadlineNanos, now);
    if (remaining <= 0) {
      if (inFlight == 0) {
        finishLocked(
            pending,
            pending == null
                ? deadlineExceeded("before attempt " + (attempts.count() + 1) + " could start")
                : null,
            after);
      }
      return null;
    }
    EndpointState endpoint = target.balanced.pick(attempts);
    if (endpoint == null) {
      if (inFlight == 0) {
        finishLocked(
            pending,
            pending == null ? target.balanced.noEndpoint(target.cluster.name()) : null,
            after);
      }
      return null;
    }
    long timeout = Math.min(remaining, route.perTryTimeoutNanos);
    int number = attempts.count();
    AttemptRun<R> run = new AttemptRun<>(this, number, hedge, endpoint, timeout, permit);
    attempts.add(run);
    inFlight++;
    AttemptRecording.started(engine, target, request, callSpan, run, now);
    if (hedging && attempts.count() < maxAttempts) {
      scheduleHedge(after);
    }
    return run;
  }

  /** The adapter could not start {@code run}: the call fails. */
  void onStartFailure(AttemptRun<R> run, RuntimeException e) {
    log.error("protocol adapter failed to start an attempt to {}", run.endpoint.address(), e);
    run.end(0, engine.ticker().nanoTime(), OutcomeClass.LOCAL);
    List<Runnable> after = new ArrayList<>(1);
    synchronized (this) {
      inFlight--;
      attempts.cancelOthers(null, after);
      finishLocked(
          null,
          new MeshException(
              MeshException.Reason.INTERNAL_ERROR, "could not start an attempt: " + e, e),
          after);
    }
    runAll(after);
  }

  /** The adapter started {@code run}; cancels it at once if the call gave it up meanwhile. */
  void onStarted(AttemptRun<R> run, Attempt handle) {
    boolean cancelNow;
    synchronized (this) {
      run.handle = handle;
      cancelNow = run.cancelled && !run.completed;
    }
    if (cancelNow) {
      handle.cancel();
    }
  }

  private void scheduleHedge(List<Runnable> after) {
    long delay = route.hedgeDelayNanos();
    if (delay < 0) {
      return;
    }
    if (!CallDeadline.firesBefore(deadlineNanos, engine.ticker().nanoTime(), delay)) {
      return;
    }
    cancelTimerLocked(after);
    timer = engine.scheduler().schedule(this::onHedgeTimer, delay);
  }

  private void onHedgeTimer() {
    List<Runnable> after = new ArrayList<>(2);
    synchronized (this) {
      timer = null;
      if (state != CallState.RUNNING || attempts.count() >= maxAttempts) {
        return;
      }
      RetryPermit permit = Admission.retry(route, target.cluster, true);
      if (permit == null) {
        return;
      }
      startAttempt(true, permit, after);
    }
    runAll(after);
  }

  /** An attempt ended. Called once per attempt, from any thread. */
  void onAttemptComplete(AttemptRun<R> run, R result, AttemptOutcome outcome) {
    long now = engine.ticker().nanoTime();
    AttemptRecording.ended(engine, route, target, run, outcome, now);

    List<Runnable> after = new ArrayList<>(2);
    synchronized (this) {
      run.completed = true;
      run.result = result;
      run.outcome = outcome;
      inFlight--;
      switch (state) {
        case DONE -> after.add(() -> adapter.discard(result));
        case CANCELLING -> {
          keepAsPending(run, after);
          if (inFlight == 0) {
            finishLocked(pending, null, after);
          }
        }
        case COMMITTED -> {
          if (run.committedWinner) {
            finishLocked(run, null, after);
          } else {
            after.add(() -> adapter.discard(result));
          }
        }
        case RUNNING -> {
          if (hedging) {
            onHedgedAttemptComplete(run, outcome, after);
          } else {
            onRetriedAttemptComplete(run, outcome, now, after);
          }
        }
        default -> throw new IllegalStateException("an attempt ended while its call was " + state);
      }
    }
    runAll(after);
  }

  private void onRetriedAttemptComplete(
      AttemptRun<R> run, AttemptOutcome outcome, long now, List<Runnable> after) {
    long remaining = CallDeadline.remaining(deadlineNanos, now);
    long backoff =
        Repeats.retryBackoffNanos(route, outcome, attempts.count(), maxAttempts, remaining);
    RetryPermit permit = backoff < 0 ? null : Admission.retry(route, target.cluster, false);
    if (permit == null) {
      finishLocked(run, null, after);
      return;
    }
    keepAsPending(run, after);
    if (backoff <= 0) {
      startAttempt(false, permit, after);
    } else {
      // The call holds the permit while it backs off; finishLocked gives it back if the call ends
      // first.
      backoffPermit = permit;
      timer = engine.scheduler().schedule(this::onBackoffEnd, backoff);
    }
  }

  private void onBackoffEnd() {
    List<Runnable> after = new ArrayList<>(2);
    synchronized (this) {
      timer = null;
      if (state == CallState.RUNNING) {
        RetryPermit permit = backoffPermit;
        backoffPermit = RetryPermit.NONE;
        startAttempt(false, permit, after);
      } else {
        finishLocked(pending, null, after);
      }
    }
    runAll(after);
  }

  private void onHedgedAttemptComplete(
      AttemptRun<R> run, AttemptOutcome outcome, List<Runnable> after) {
    if (!Repeats.nonFatal(route, outcome)) {
      // A success, or a failure that more attempts would not cure: this attempt decides the call.
      finishLocked(run, null, after);
      return;
    }
    keepAsPending(run, after);
    RetryPermit permit =
        attempts.count() < maxAttempts ? Admission.retry(route, target.cluster, true) : null;
    if (permit != null) {
      // gRPC's rule: a non-fatal failure sends the next hedge at once.
      cancelTimerLocked(after);
      startAttempt(true, permit, after);
    }
    if (inFlight == 0 && state != CallState.DONE) {
      finishLocked(pending, null, after);
    }
  }

  /** Keeps {@code run} as the answer-in-waiting, releasing the one it replaces. */
  private void keepAsPending(AttemptRun<R> run, List<Runnable> after) {
    AttemptRun<R> old = pending;
    pending = run;
    if (old != null && old != run) {
      R oldResult = old.result;
      after.add(() -> adapter.discard(oldResult));
    }
  }

  /** Ends the call with an attempt's result or a mesh failure. Caller holds the monitor. */
  private void finishLocked(AttemptRun<R> decisive, MeshException failure, List<Runnable> after) {
    if (state == CallState.DONE) {
      return;
    }
    boolean releaseRequest = state.admitted();
    state = state.moveTo(CallState.DONE);
    backoffPermit.release();
    backoffPermit = RetryPermit.NONE;
    cancelTimerLocked(after);
    attempts.cancelOthers(decisive, after);
    if (pending != null && pending != decisive) {
      R stale = pending.result;
      after.add(() -> adapter.discard(stale));
    }
    pending = null;
    long elapsed = engine.ticker().nanoTime() - startNanos;
    int attemptCount = attempts.count();
    if (decisive == null && failure == null) {
      failure = deadlineExceeded("with no attempt result");
    }
    MeshException f = failure;
    CallGuard routeGuard = routeGuarded ? route.guard : null;
    CallGuard clusterGuard = clusterGuarded ? target.guard : null;
    after.add(
        () -> {
          if (releaseRequest) {
            target.cluster.limits().releaseRequest();
          }
          if (routeGuard != null || clusterGuard != null) {
            endGuards(routeGuard, clusterGuard, decisive, f, elapsed);
          }
          CanaryTap canary = target.canary;
          if (canary != null) {
            canary.record(f, f == null ? decisive.outcome : null, elapsed, callSpan);
          }
          engine
              .telemetry()
              .endCall(
                  route.metrics,
                  target.cluster.name(),
                  callSpan,
                  f == null ? decisive.outcome : null,
                  f,
                  elapsed,
                  attemptCount);
          engine.callEnded(
              target.destination,
              f == null && !Telemetry.isError(decisive.outcome),
              elapsed,
              attemptCount);
          if (f != null) {
            listener.onFailure(f);
          } else {
            listener.onComplete(decisive.result);
          }
        });
  }

  private static void endGuards(
      CallGuard routeGuard,
      CallGuard clusterGuard,
      AttemptRun<?> decisive,
      MeshException failure,
      long elapsedNanos) {
    AttemptOutcome outcome = failure == null ? decisive.outcome : null;
    CallGuard.Verdict verdict = OutcomeClassifier.guardVerdict(outcome, failure);
    // The inner guard first, as decorators unwind.
    endGuard(clusterGuard, verdict, elapsedNanos, outcome, failure);
    endGuard(routeGuard, verdict, elapsedNanos, outcome, failure);
  }

  private static void endGuard(
      CallGuard guard,
      CallGuard.Verdict verdict,
      long elapsedNanos,
      AttemptOutcome outcome,
      MeshException failure) {
    if (guard == null) {
      return;
    }
    try {
      guard.onEnd(verdict, elapsedNanos, outcome, failure);
    } catch (RuntimeException e) {
      log.warn("a call guard failed to record the end of a call", e);
    }
  }

  private void cancelTimerLocked(List<Runnable> after) {
    Scheduler.Cancellable t = timer;
    if (t != null) {
      timer = null;
      after.add(t::cancel);
    }
  }

  /** Ends the call before any attempt (rate limit, fault, circuit breaker, deadline in a delay). */
  private void failEarly(MeshException failure) {
    List<Runnable> after = new ArrayList<>(2);
    synchronized (this) {
      finishLocked(null, failure, after);
    }
    runAll(after);
  }

  @Override
  public void cancel() {
    List<Runnable> after = new ArrayList<>(2);
    synchronized (this) {
      if (state == CallState.DONE || state == CallState.CANCELLING) {
        return;
      }
      if (inFlight == 0) {
        finishLocked(
            pending,
            pending == null
                ? new MeshException(MeshException.Reason.CANCELLED, "the caller cancelled the call")
                : null,
            after);
      } else {
        state = state.moveTo(CallState.CANCELLING);
        cancelTimerLocked(after);
        attempts.cancelOthers(null, after);
      }
    }
    runAll(after);
  }

  /**
   * Commits {@code run} if the call is still open to it: no more retries or hedges, and the others
   * are cancelled.
   */
  boolean commit(AttemptRun<R> run) {
    List<Runnable> after = new ArrayList<>(2);
    synchronized (this) {
      // Only a running call commits: a committed one has its winner, a cancelled or ended one none.
      if (state != CallState.RUNNING || run.cancelled) {
        return false;
      }
      state = state.moveTo(CallState.COMMITTED);
      run.committedWinner = true;
      cancelTimerLocked(after);
      attempts.cancelOthers(run, after);
    }
    runAll(after);
    return true;
  }

  private long remainingNanos() {
    return CallDeadline.remaining(deadlineNanos, engine.ticker().nanoTime());
  }

  private MeshException deadlineExceeded(String when) {
    return CallDeadline.exceeded(request, when);
  }

  private static void runAll(List<Runnable> actions) {
    for (Runnable r : actions) {
      r.run();
    }
  }
}
