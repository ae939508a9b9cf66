package dev.weft.mesh.core;

import dev.weft.mesh.api.runtime.Scheduler;
import dev.weft.mesh.core.spi.Attempt;
import dev.weft.mesh.core.spi.AttemptAdapter;
import dev.weft.mesh.core.spi.AttemptContext;
import dev.weft.mesh.core.spi.AttemptOutcome;
import dev.weft.mesh.core.spi.AttemptSink;
import dev.weft.mesh.core.spi.CallHandle;
import dev.weft.mesh.core.spi.CallListener;
import dev.weft.mesh.core.spi.CallRequest;

import dev.weft.mesh.api.InjectedFaultException;
import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.FaultInjection;
import dev.weft.mesh.api.config.HashPolicy;
import dev.weft.mesh.api.config.HedgingPolicy;
import dev.weft.mesh.api.config.RetryPolicy;
import dev.weft.mesh.api.spi.LbEndpoint;
import dev.weft.mesh.api.spi.PickContext;
import dev.weft.mesh.core.internal.Nanos;
import dev.weft.mesh.core.internal.health.OutcomeClass;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The attempt loop of one call, written once for every protocol: fault injection, rate limit,
 * circuit breaking, mirroring, then attempts with per-try timeouts, retries with backoff to other
 * endpoints, or hedging, all bounded by the retry budget and the deadline.
 *
 * <p>Threading: events arrive from the caller's thread, adapters' threads and the scheduler. The
 * state of one call is guarded by its own monitor (as grpc-java's retriable stream does); no lock is
 * shared between calls, and listeners, adapters and cancellations are always invoked outside it.
 */
final class CallExecution<R> implements CallHandle, PickContext {
  private static final Logger log = LoggerFactory.getLogger(CallExecution.class);

  private final EngineContext engine;
  private final CallRequest request;
  private final AttemptAdapter<R> adapter;
  private final CallListener<R> listener;
  private final CompiledRoute route;
  private final RouteTarget target;
  private final long startNanos;
  private final long deadlineNanos;
  private final boolean hasHash;
  private final long hash;
  private final int maxAttempts;
  private final boolean hedging;
  private final Span callSpan;

  // Guarded by this.
  private final List<AttemptRun> runs;
  private int started;
  private int inFlight;
  private boolean requestPermit;
  private boolean done;
  private boolean committed;
  private boolean cancelRequested;
  private AttemptRun pending; // a finished, failed attempt whose result may yet be the answer
  private Scheduler.Cancellable timer;

  CallExecution(EngineContext engine, CallRequest request, AttemptAdapter<R> adapter, CallListener<R> listener,
      CompiledRoute route, RouteTarget target) {
    this.engine = engine;
    this.request = request;
    this.adapter = adapter;
    this.listener = listener;
    this.route = route;
    this.target = target;
    this.startNanos = engine.ticker().nanoTime();
    long timeout = Math.min(request.timeoutNanos(), route.timeoutNanos);
    this.deadlineNanos = timeout == Long.MAX_VALUE ? Long.MAX_VALUE : Nanos.add(startNanos, timeout);
    RetryPolicy retry = route.route.retry();
    HedgingPolicy hedge = route.route.hedging();
    boolean mayRepeat = request.idempotent() || retry.retryNonIdempotent();
    this.hedging = hedge.enabled() && mayRepeat;
    this.maxAttempts = hedging ? hedge.maxAttempts() : (retry.enabled() && mayRepeat ? retry.maxAttempts() : 1);
    this.runs = new ArrayList<>(maxAttempts);
    long h = 0;
    boolean any = false;
    for (HashPolicy p : route.hashPolicies) {
      long next;
      if (p.kind() == HashPolicy.Kind.HEADER) {
        String value = request.header(p.name());
        if (value == null) {
          continue;
        }
        next = Hashing.hash(value);
      } else if (request.hasCallKey()) {
        next = Hashing.mix(request.callKey());
      } else {
        continue;
      }
      h = any ? Hashing.combine(h, next) : next;
      any = true;
      if (p.terminal()) {
        break;
      }
    }
    this.hasHash = any;
    this.hash = h;
    this.callSpan = engine.telemetry().startCallSpan(request, route.name());
  }

  // ---- PickContext ----

  @Override
  public boolean hasHash() {
    return hasHash;
  }

  @Override
  public long hash() {
    return hash;
  }

  @Override
  public boolean avoid(LbEndpoint endpoint) {
    // Called from pick() inside startAttempt, under this call's monitor.
    for (int i = 0; i < started; i++) {
      if (runs.get(i).endpoint == endpoint) {
        return true;
      }
    }
    return false;
  }

  // ---- the call ----

  /** Runs the call's admission steps and its first attempt. Called once, on the caller's thread. */
  void start() {
    if (route.rateLimiter != null && !route.rateLimiter.tryAcquire()) {
      failEarly(new MeshException(MeshException.Reason.RATE_LIMITED,
          "route '" + route.name() + "' of service '" + route.service + "' is over its local rate limit"));
      return;
    }
    FaultInjection fault = route.fault();
    if (fault.enabled() && route.faultApplies(request)) {
      boolean abort = fault.abort().enabled() && engine.random().nextDouble() * 100 < fault.abort().percent();
      boolean delay = fault.delay().enabled() && engine.random().nextDouble() * 100 < fault.delay().percent();
      if (delay) {
        long delayNanos = Nanos.of(fault.delay().fixedDelay());
        long remaining = remainingNanos();
        Scheduler.Cancellable t;
        if (delayNanos >= remaining) {
          t = engine.scheduler().schedule(() -> failEarly(deadlineExceeded("while a fault-injected delay of "
              + fault.delay().fixedDelay() + " ran")), remaining);
        } else {
          t = engine.scheduler().schedule(() -> afterFaultDelay(abort), delayNanos);
        }
        synchronized (this) {
          if (done) {
            t.cancel();
          } else {
            timer = t;
          }
        }
        return;
      }
      if (abort) {
        failEarly(new InjectedFaultException(fault.abort().httpStatus(), fault.abort().grpcStatus(), route.name()));
        return;
      }
    }
    admit();
  }

  private void afterFaultDelay(boolean abort) {
    synchronized (this) {
      timer = null;
      if (done) {
        return;
      }
    }
    if (abort) {
      FaultInjection.Abort a = route.fault().abort();
      failEarly(new InjectedFaultException(a.httpStatus(), a.grpcStatus(), route.name()));
    } else {
      admit();
    }
  }

  private void admit() {
    ClusterState cluster = target.cluster;
    if (!cluster.limits().tryAcquireRequest()) {
      failEarly(new MeshException(MeshException.Reason.CIRCUIT_OPEN, "cluster '" + cluster.name()
          + "' has reached its limit of " + cluster.config().circuitBreakers().maxRequests() + " concurrent requests"));
      return;
    }
    synchronized (this) {
      requestPermit = true;
    }
    cluster.retryBudget().onCall();
    for (CompiledRoute.MirrorTarget mirror : route.mirrors) {
      if (engine.random().nextDouble() * 100 < mirror.percent) {
        startMirror(mirror.target);
      }
    }
    List<Runnable> after = new ArrayList<>(2);
    synchronized (this) {
      startAttempt(false, after);
    }
    runAll(after);
  }

  /** Starts the next attempt. Caller holds the monitor; side effects to run unlocked go to {@code after}. */
  private void startAttempt(boolean hedge, List<Runnable> after) {
    if (done) {
      return;
    }
    long now = engine.ticker().nanoTime();
    long remaining = deadlineNanos == Long.MAX_VALUE ? Long.MAX_VALUE : deadlineNanos - now;
    if (remaining <= 0) {
      if (inFlight == 0) {
        finishLocked(pending, pending == null ? deadlineExceeded("before attempt " + (started + 1) + " could start") : null, after);
      }
      return;
    }
    EndpointState endpoint = target.balanced.pick(this);
    if (endpoint == null) {
      if (inFlight == 0) {
        finishLocked(pending, pending == null ? target.balanced.noEndpoint(target.cluster.name()) : null, after);
      }
      return;
    }
    long timeout = Math.min(remaining, route.perTryTimeoutNanos);
    int number = started;
    AttemptRun run = new AttemptRun(number, hedge, endpoint, timeout);
    runs.add(run);
    started++;
    inFlight++;
    endpoint.onAttemptStart();
    run.span = engine.telemetry().startAttemptSpan(callSpan, request, endpoint, target.cluster.name(), number, hedge);
    run.startNanos = now;
    if (hedging && started < maxAttempts) {
      scheduleHedge(after);
    }
    after.add(() -> launch(run));
  }

  private void launch(AttemptRun run) {
    Attempt handle;
    try {
      handle = adapter.start(run, run);
    } catch (RuntimeException e) {
      log.error("protocol adapter failed to start an attempt to {}", run.endpoint.address(), e);
      run.endpoint.onAttemptEnd(0, engine.ticker().nanoTime(), OutcomeClass.LOCAL);
      if (run.retryPermit) {
        target.cluster.limits().releaseRetry();
      }
      List<Runnable> after = new ArrayList<>(1);
      synchronized (this) {
        inFlight--;
        cancelOthersLocked(null, after);
        finishLocked(null, new MeshException(MeshException.Reason.INTERNAL_ERROR, "could not start an attempt: " + e, e), after);
      }
      runAll(after);
      return;
    }
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
    HedgingPolicy policy = route.route.hedging();
    long delay = Nanos.of(policy.delay());
    if (route.latency != null) {
      long p = route.latency.percentileNanos();
      if (p > 0) {
        delay = Math.max(delay, p);
      } else if (delay == 0) {
        return; // no latency seen yet and no floor: wait for data before hedging
      }
    }
    long fireAt = Nanos.add(engine.ticker().nanoTime(), delay);
    if (deadlineNanos != Long.MAX_VALUE && fireAt >= deadlineNanos) {
      return;
    }
    cancelTimerLocked(after);
    timer = engine.scheduler().schedule(this::onHedgeTimer, delay);
  }

  private void onHedgeTimer() {
    List<Runnable> after = new ArrayList<>(2);
    synchronized (this) {
      timer = null;
      if (done || committed || cancelRequested || started >= maxAttempts) {
        return;
      }
      if (!acquireRepeatPermit(true)) {
        return;
      }
      startWithPermit(true, after);
    }
    runAll(after);
  }

  /** Budget and concurrent-retry limit for a retry or hedge. Caller holds the monitor. */
  private boolean acquireRepeatPermit(boolean hedge) {
    ClusterState cluster = target.cluster;
    // The concurrency limit first: a retry it refuses must not spend the budget.
    if (!cluster.limits().tryAcquireRetry()) {
      return false;
    }
    if (!cluster.retryBudget().tryWithdraw()) {
      cluster.limits().releaseRetry();
      route.metrics.budgetExhausted(cluster.name());
      return false;
    }
    if (hedge) {
      route.metrics.hedge(cluster.name());
    } else {
      route.metrics.retry(cluster.name());
    }
    return true;
  }

  /** An attempt ended. Called once per attempt, from any thread. */
  private void onAttemptComplete(AttemptRun run, R result, AttemptOutcome outcome) {
    long now = engine.ticker().nanoTime();
    long latency = now - run.startNanos;
    run.endpoint.onAttemptEnd(latency, now, OutcomeClassifier.outlierClass(outcome));
    if (run.retryPermit) {
      target.cluster.limits().releaseRetry();
    }
    if (route.latency != null && OutcomeClassifier.success(outcome)) {
      route.latency.record(latency);
    }
    route.metrics.attempt(target.cluster.name(), outcome.statusLabel());
    engine.telemetry().endAttemptSpan(run.span, outcome);

    List<Runnable> after = new ArrayList<>(2);
    synchronized (this) {
      run.completed = true;
      run.result = result;
      run.outcome = outcome;
      inFlight--;
      if (done) {
        after.add(() -> adapter.discard(result));
      } else if (cancelRequested) {
        keepAsPending(run, after);
        if (inFlight == 0) {
          finishLocked(pending, null, after);
        }
      } else if (committed) {
        if (run.committedWinner) {
          finishLocked(run, null, after);
        } else {
          after.add(() -> adapter.discard(result));
        }
      } else if (hedging) {
        onHedgedAttemptComplete(run, outcome, now, after);
      } else {
        onRetriedAttemptComplete(run, outcome, now, after);
      }
    }
    runAll(after);
  }

  private void onRetriedAttemptComplete(AttemptRun run, AttemptOutcome outcome, long now, List<Runnable> after) {
    RetryPolicy policy = route.route.retry();
    boolean retryable = !committed && started < maxAttempts
        && OutcomeClassifier.matches(outcome, policy.retryOn(), policy.retriableStatusCodes());
    if (!retryable) {
      finishLocked(run, null, after);
      return;
    }
    long remaining = deadlineNanos == Long.MAX_VALUE ? Long.MAX_VALUE : deadlineNanos - now;
    if (remaining <= 0) {
      finishLocked(run, null, after);
      return;
    }
    long backoff = route.backoff.delayNanos(started);
    if (backoff >= remaining) {
      finishLocked(run, null, after);
      return;
    }
    if (!acquireRepeatPermit(false)) {
      finishLocked(run, null, after);
      return;
    }
    keepAsPending(run, after);
    if (backoff <= 0) {
      startAttemptWithPermit(after);
    } else {
      timer = engine.scheduler().schedule(() -> {
        List<Runnable> later = new ArrayList<>(2);
        synchronized (this) {
          timer = null;
          if (done) {
            target.cluster.limits().releaseRetry();
            return;
          }
          if (cancelRequested) {
            target.cluster.limits().releaseRetry();
            finishLocked(pending, null, later);
          } else {
            startAttemptWithPermit(later);
          }
        }
        runAll(later);
      }, backoff);
    }
  }

  /** Starts a retry whose permit is already held; the permit moves to the new attempt. */
  private void startAttemptWithPermit(List<Runnable> after) {
    startWithPermit(false, after);
  }

  /**
   * Starts a retry or hedge whose concurrent-retry permit the caller holds: the new attempt carries
   * it and gives it back when it ends; if no attempt could start, it is given back at once.
   */
  private void startWithPermit(boolean hedge, List<Runnable> after) {
    int before = started;
    startAttempt(hedge, after);
    if (started > before) {
      runs.get(started - 1).retryPermit = true;
    } else {
      target.cluster.limits().releaseRetry();
    }
  }

  private void onHedgedAttemptComplete(AttemptRun run, AttemptOutcome outcome, long now, List<Runnable> after) {
    HedgingPolicy policy = route.route.hedging();
    boolean failed = !OutcomeClassifier.success(outcome) && outcome.kind() != AttemptOutcome.Kind.CANCELLED;
    boolean nonFatal = failed && OutcomeClassifier.matches(outcome, policy.nonFatalOn(), Set.of());
    if (!nonFatal) {
      // A success, or a failure that more attempts would not cure: this attempt decides the call.
      finishLocked(run, null, after);
      return;
    }
    keepAsPending(run, after);
    if (started < maxAttempts && !committed && acquireRepeatPermit(true)) {
      // gRPC's rule: a non-fatal failure sends the next hedge at once.
      cancelTimerLocked(after);
      startWithPermit(true, after);
    }
    if (inFlight == 0 && !done) {
      finishLocked(pending, null, after);
    }
  }

  /** Keeps {@code run} as the answer-in-waiting, releasing the one it replaces. */
  private void keepAsPending(AttemptRun run, List<Runnable> after) {
    AttemptRun old = pending;
    pending = run;
    if (old != null && old != run) {
      @SuppressWarnings("unchecked")
      R oldResult = (R) old.result;
      after.add(() -> adapter.discard(oldResult));
    }
  }

  /** Ends the call with an attempt's result or a mesh failure. Caller holds the monitor. */
  private void finishLocked(AttemptRun decisive, MeshException failure, List<Runnable> after) {
    if (done) {
      return;
    }
    done = true;
    cancelTimerLocked(after);
    cancelOthersLocked(decisive, after);
    if (pending != null && pending != decisive) {
      @SuppressWarnings("unchecked")
      R stale = (R) pending.result;
      after.add(() -> adapter.discard(stale));
    }
    pending = null;
    boolean releasePermit = requestPermit;
    requestPermit = false;
    long elapsed = engine.ticker().nanoTime() - startNanos;
    int attempts = started;
    if (decisive == null && failure == null) {
      failure = deadlineExceeded("with no attempt result");
    }
    MeshException f = failure;
    after.add(() -> {
      if (releasePermit) {
        target.cluster.limits().releaseRequest();
      }
      String cluster = target.cluster.name();
      if (f != null) {
        route.metrics.call(cluster, f.reason().name(), "mesh_error", elapsed);
        engine.telemetry().endCallSpan(callSpan, null, f, attempts);
        listener.onFailure(f);
      } else {
        AttemptOutcome outcome = decisive.outcome;
        route.metrics.call(cluster, outcome.statusLabel(), OutcomeClassifier.outcomeTag(outcome), elapsed);
        engine.telemetry().endCallSpan(callSpan, outcome, null, attempts);
        @SuppressWarnings("unchecked")
        R result = (R) decisive.result;
        listener.onComplete(result);
      }
    });
  }

  private void cancelOthersLocked(AttemptRun keep, List<Runnable> after) {
    for (int i = 0; i < started; i++) {
      AttemptRun r = runs.get(i);
      if (r != keep && !r.completed && !r.cancelled) {
        r.cancelled = true;
        Attempt h = r.handle;
        if (h != null) {
          after.add(h::cancel);
        }
      }
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
      if (done || cancelRequested) {
        return;
      }
      cancelRequested = true;
      if (inFlight == 0) {
        finishLocked(pending, pending == null ? new MeshException(MeshException.Reason.CANCELLED, "the caller cancelled the call") : null, after);
      } else {
        cancelTimerLocked(after);
        cancelOthersLocked(null, after);
      }
    }
    runAll(after);
  }

  private long remainingNanos() {
    return deadlineNanos == Long.MAX_VALUE ? Long.MAX_VALUE : deadlineNanos - engine.ticker().nanoTime();
  }

  private MeshException deadlineExceeded(String when) {
    return new MeshException(MeshException.Reason.DEADLINE_EXCEEDED, "the deadline of the call to '" + request.service()
        + "' passed " + when);
  }

  private static void runAll(List<Runnable> actions) {
    for (Runnable r : actions) {
      r.run();
    }
  }

  // ---- mirroring ----

  private void startMirror(RouteTarget mirror) {
    EndpointState endpoint = mirror.balanced.pick(NO_HASH);
    if (endpoint == null) {
      return;
    }
    MirrorRun run = new MirrorRun(endpoint, mirror.cluster.config(), Math.min(remainingNanos(), route.perTryTimeoutNanos));
    endpoint.onAttemptStart();
    try {
      adapter.start(run, run);
    } catch (RuntimeException e) {
      endpoint.onAttemptEnd(0, engine.ticker().nanoTime(), OutcomeClass.LOCAL);
      log.debug("mirror attempt to {} could not start", endpoint.address(), e);
    }
  }

  static PickContext noHashContext() {
    return NO_HASH;
  }

  private static final PickContext NO_HASH = new PickContext() {
    @Override
    public boolean hasHash() {
      return false;
    }

    @Override
    public long hash() {
      return 0;
    }

    @Override
    public boolean avoid(LbEndpoint endpoint) {
      return false;
    }
  };

  /** One attempt: its context for the adapter and its sink back into the loop. */
  private final class AttemptRun implements AttemptContext, AttemptSink<R> {
    final int number;
    final boolean hedge;
    final EndpointState endpoint;
    final long timeoutNanos;
    long startNanos;
    Span span;
    boolean retryPermit;
    // Guarded by the call's monitor.
    Attempt handle;
    boolean completed;
    boolean cancelled;
    boolean committedWinner;
    Object result;
    AttemptOutcome outcome;
    private volatile boolean reported;

    AttemptRun(int number, boolean hedge, EndpointState endpoint, long timeoutNanos) {
      this.number = number;
      this.hedge = hedge;
      this.endpoint = endpoint;
      this.timeoutNanos = timeoutNanos;
    }

    @Override
    public Endpoint endpoint() {
      return endpoint.endpoint();
    }

    @Override
    public Cluster cluster() {
      return target.cluster.config();
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
      return engine.telemetry().contextOf(span, request);
    }

    @Override
    public boolean commit() {
      List<Runnable> after = new ArrayList<>(2);
      synchronized (CallExecution.this) {
        if (done || committed || cancelled) {
          return false;
        }
        committed = true;
        committedWinner = true;
        cancelTimerLocked(after);
        cancelOthersLocked(this, after);
      }
      runAll(after);
      return true;
    }

    @Override
    public void complete(R result, AttemptOutcome outcome) {
      if (reported) {
        log.warn("an attempt to {} reported its completion twice; the second report is ignored", endpoint.address());
        return;
      }
      reported = true;
      onAttemptComplete(this, result, outcome);
    }
  }

  /** A mirrored copy: runs to its end, and nothing waits for it. */
  private final class MirrorRun implements AttemptContext, AttemptSink<R> {
    private final EndpointState endpoint;
    private final Cluster cluster;
    private final long timeoutNanos;
    private final long startNanos;

    MirrorRun(EndpointState endpoint, Cluster cluster, long timeoutNanos) {
      this.endpoint = endpoint;
      this.cluster = cluster;
      this.timeoutNanos = timeoutNanos;
      this.startNanos = engine.ticker().nanoTime();
    }

    @Override
    public Endpoint endpoint() {
      return endpoint.endpoint();
    }

    @Override
    public Cluster cluster() {
      return cluster;
    }

    @Override
    public int attemptNumber() {
      return 0;
    }

    @Override
    public boolean hedge() {
      return false;
    }

    @Override
    public boolean mirror() {
      return true;
    }

    @Override
    public long timeoutNanos() {
      return timeoutNanos;
    }

    @Override
    public Context traceContext() {
      return request.parentContext();
    }

    @Override
    public boolean commit() {
      return true;
    }

    @Override
    public void complete(R result, AttemptOutcome outcome) {
      long now = engine.ticker().nanoTime();
      endpoint.onAttemptEnd(now - startNanos, now, OutcomeClassifier.outlierClass(outcome));
      adapter.discard(result);
    }
  }
}
