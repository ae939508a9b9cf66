package dev.weft.mesh.core;

import dev.weft.mesh.api.config.CanaryPolicy;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.runtime.Nanos;
import dev.weft.mesh.api.runtime.Scheduler;
import dev.weft.mesh.core.internal.canary.Batch;
import dev.weft.mesh.core.internal.canary.CanaryJudge;
import dev.weft.mesh.core.internal.canary.OutcomeRecorder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The canary guard of one route: records each destination's calls (through {@link CanaryTap}),
 * evaluates on the mesh's scheduler, sets the canary's weight to 0 on a verdict and keeps it there
 * while the route's destinations and policy stay the same, and promotes the canary along its steps.
 * The weights it sets replace the sampler of the route's {@link WeightedTargets} in place: no
 * recompilation, and calls see the change at their next pick.
 *
 * <p>Evaluations, promotions and re-attachment to a new snapshot run on the control path under the
 * engine's control lock; {@link #status()} and {@link #annotate} may be called from any thread.
 */
final class CanaryGuard {
  private static final Logger log = LoggerFactory.getLogger(CanaryGuard.class);
  static final String ROLLBACKS = "weft.canary.rollbacks";
  static final String PROMOTIONS = "weft.canary.promotions";
  static final String WEIGHT = "weft.canary.weight";
  static final String STATE = "weft.canary.state";
  static final String SPAN_EVENT = "weft.canary.rollback";

  private final Engine engine;
  final String service;
  final String routeName;
  final CanaryPolicy policy;
  final List<Destination> destinations;
  private final int baselineIndex;
  private final int canaryIndex;
  private final OutcomeRecorder baselineRecorder = new OutcomeRecorder();
  private final OutcomeRecorder canaryRecorder = new OutcomeRecorder();
  private final CanaryJudge judge;
  private final long anchorMillis;
  private final long stepMillis;
  private final long sinceMillis;
  private final ArrayDeque<CanaryEvent> history = new ArrayDeque<>();
  private final AtomicReference<CanaryEvent> pendingSpanEvent = new AtomicReference<>();
  private final List<Meter> meters = new ArrayList<>();
  private final Tags tags;
  private Counter promotions;

  // Control path only.
  private WeightedTargets targets;
  private WeightedTargets pendingTargets;
  private int[] weights;
  private int step = -1;
  private long canaryCallsAtStep;
  private long stepSinceMillis;
  private boolean rolledBack;
  private Batch lastBaseline;
  private Batch lastCanary;
  private CanaryEvent.Evidence evidence = CanaryEvent.Evidence.NONE;
  private Scheduler.Cancellable task;

  private volatile CanaryStatus status;

  CanaryGuard(Engine engine, String service, Route route) {
    this.engine = engine;
    this.service = service;
    this.routeName = route.name();
    this.policy = route.canary();
    this.destinations = route.destinations();
    this.baselineIndex = indexOf(route, policy.baseline());
    this.canaryIndex = indexOf(route, policy.canary());
    this.judge =
        new CanaryJudge(
            Nanos.of(policy.window()),
            policy.minCalls(),
            policy.maxErrorRateIncrease(),
            policy.maxLatencyRatio(),
            policy.latencyPercentile() / 100,
            policy.alpha());
    this.sinceMillis = engine.ticker.currentTimeMillis();
    CanaryPolicy.Promotion p = policy.promotion();
    this.anchorMillis = p.startTime() == null ? sinceMillis : p.startTime().toEpochMilli();
    this.stepMillis = p.interval().toMillis();
    this.lastBaseline = baselineRecorder.totals();
    this.lastCanary = canaryRecorder.totals();
    // A process that starts mid-rollout joins the step the fleet is at.
    this.step = scheduledStep(sinceMillis);
    this.stepSinceMillis = sinceMillis;
    this.weights = step < 0 ? configuredWeights() : stepWeights(p.steps().get(step));
    this.tags = Tags.of("service", service, "route", routeName, "canary", policy.canary());
    record(
        CanaryEvent.Kind.STARTED,
        Double.NaN,
        "guarding "
            + policy.canary()
            + " against "
            + policy.baseline()
            + (step >= 0 ? " at step " + (step + 1) + " of " + p.steps().size() : ""),
        CanaryEvent.Evidence.NONE);
    publish();
  }

  private static int indexOf(Route route, String ref) {
    for (int i = 0; i < route.destinations().size(); i++) {
      if (CanaryPolicy.ref(route.destinations().get(i)).equals(ref)) {
        return i;
      }
    }
    throw new IllegalStateException("no destination " + ref + " in route " + route.name());
  }

  /** Whether this guard still fits {@code route}: same destinations and policy. */
  boolean fits(Route route) {
    return route.canary().equals(policy) && route.destinations().equals(destinations);
  }

  /**
   * Wires a newly compiled route's targets to this guard: their taps, and the weights in force.
   * Harmless if that snapshot is never published; {@link #commit} makes it the one the guard
   * steers.
   */
  void prepare(RouteTarget[] compiled, WeightedTargets weighted) {
    compiled[baselineIndex].canary = new CanaryTap(this, baselineRecorder);
    compiled[canaryIndex].canary = new CanaryTap(this, canaryRecorder);
    weighted.reweigh(weights);
    pendingTargets = weighted;
  }

  /** The snapshot prepared last is in force; starts evaluating on first commit. */
  void commit() {
    targets = pendingTargets;
    if (task == null) {
      registerMeters();
      task =
          engine.scheduler.scheduleAtFixedRate(
              () -> engine.control(this::evaluate), Nanos.of(policy.interval()));
    }
  }

  /**
   * Registers the guard's meters once it is in force (after the guard it replaces, whose meters
   * have the same names and tags, removed its own).
   */
  private void registerMeters() {
    MeterRegistry registry = engine.telemetry.registry();
    if (registry == null) {
      return;
    }
    engine.telemetry.guard(
        () -> {
          promotions =
              Counter.builder(PROMOTIONS)
                  .description("Promotion steps canaries took")
                  .tags(tags)
                  .register(registry);
          meters.add(promotions);
          meters.add(
              Gauge.builder(WEIGHT, this, g -> g.status == null ? 0 : g.status.canaryPercent())
                  .description("The canary's share of its route's guarded calls, in percent")
                  .baseUnit("percent")
                  .tags(tags)
                  .register(registry));
          meters.add(
              Gauge.builder(STATE, this, g -> g.status == null ? 0 : g.status.state().ordinal())
                  .description("0 warming up, 1 healthy, 2 rolled back, 3 promoted")
                  .tags(tags)
                  .register(registry));
        });
  }

  void close() {
    if (task != null) {
      task.cancel();
    }
    MeterRegistry registry = engine.telemetry.registry();
    if (registry != null) {
      for (Meter m : meters) {
        registry.remove(m);
      }
      meters.clear();
    }
  }

  // ---- evaluation (control path) ----

  void evaluate() {
    long now = engine.ticker.nanoTime();
    long nowMillis = engine.ticker.currentTimeMillis();
    Batch b = baselineRecorder.totals();
    Batch c = canaryRecorder.totals();
    Batch bDelta = b.since(lastBaseline, now);
    Batch cDelta = c.since(lastCanary, now);
    lastBaseline = b;
    lastCanary = c;
    boolean promoted = step >= 0 && policy.promotion().steps().get(step) >= 100;
    CanaryJudge.Evidence e = judge.judge(bDelta, cDelta);
    evidence = evidence(e);
    if (!rolledBack && !promoted) {
      if (e.test() != null) {
        rollBack(e);
      } else if (policy.promotion().enabled()) {
        promote(nowMillis, e.judged(), c.calls());
      }
    }
    publish();
  }

  private void rollBack(CanaryJudge.Evidence e) {
    double before = canaryPercent();
    int[] w = weights.clone();
    w[baselineIndex] += w[canaryIndex];
    w[canaryIndex] = 0;
    if (sum(w) == 0) {
      w[baselineIndex] = 1;
    }
    setWeights(w);
    rolledBack = true;
    String test = e.test().name().toLowerCase(Locale.ROOT);
    String reason = rollbackReason(e, test);
    CanaryEvent event = record(CanaryEvent.Kind.ROLLED_BACK, before, reason, evidence);
    pendingSpanEvent.set(event);
    MeterRegistry registry = engine.telemetry.registry();
    if (registry != null) {
      engine.telemetry.guard(
          () -> {
            Counter c =
                Counter.builder(ROLLBACKS)
                    .description(
                        "Canaries this process found worse than their baseline and rolled back")
                    .tags(tags)
                    .tag("test", test)
                    .register(registry);
            c.increment();
            meters.add(c);
          });
    }
    log.warn(
        "canary guard of service '{}' route '{}' rolled back {} ({}% of calls to 0%): {}",
        service, routeName, policy.canary(), percent(before), reason);
  }

  private String rollbackReason(CanaryJudge.Evidence e, String test) {
    String recent =
        test.equals("errors")
            ? String.format(
                Locale.ROOT,
                "%d of the canary's last %d calls failed (%.1f%%) against a limit of %.2f%%"
                    + " (the baseline's %d of %d plus %s)",
                e.errorRunFailures(),
                e.errorRunCalls(),
                e.errorRunCalls() == 0 ? 0 : 100.0 * e.errorRunFailures() / e.errorRunCalls(),
                100 * e.errorRateLimit(),
                e.baselineFailures(),
                e.baselineCalls(),
                policy.maxErrorRateIncrease())
            : String.format(
                Locale.ROOT,
                "%d of the canary's last %d successes (%.1f%%) took over %.1f ms (%s times the"
                    + " baseline's p%s bound), where at most %s%% may",
                e.latencyRunSlow(),
                e.latencyRunCalls(),
                e.latencyRunCalls() == 0 ? 0 : 100.0 * e.latencyRunSlow() / e.latencyRunCalls(),
                e.latencyLimitNanos() / 1e6,
                policy.maxLatencyRatio(),
                percent(policy.latencyPercentile()),
                percent(100 - policy.latencyPercentile()));
    return String.format(
        Locale.ROOT,
        "the %s test found the canary worse than the baseline: %s; statistic %.1f >= %.1f"
            + " (false-alarm bound %s per evaluation); window: canary %d of %d calls failed,"
            + " baseline %d of %d; p%s canary %.1f ms, baseline %.1f ms",
        test,
        recent,
        test.equals("errors") ? e.errorStatistic() : e.latencyStatistic(),
        e.threshold(),
        policy.alpha(),
        e.canaryFailures(),
        e.canaryCalls(),
        e.baselineFailures(),
        e.baselineCalls(),
        percent(policy.latencyPercentile()),
        e.canaryLatencyNanos() / 1e6,
        e.baselineLatencyNanos() / 1e6);
  }

  private void promote(long nowMillis, boolean judged, long canaryCalls) {
    int scheduled = scheduledStep(nowMillis);
    if (scheduled <= step) {
      return;
    }
    List<Double> steps = policy.promotion().steps();
    // The first step needs no evidence (the canary may have had no calls yet). Each later one needs
    // evidence on the step in force: minCalls canary calls, judged, with both statistics below half
    // the threshold (not on their way to a verdict), and half an interval spent on the step, so
    // that
    // an instance behind the schedule catches up without rushing through the steps.
    boolean healthy =
        step < 0
            || (judged
                && canaryCalls - canaryCallsAtStep >= policy.minCalls()
                && evidence.errorStatistic() < evidence.threshold() / 2
                && evidence.latencyStatistic() < evidence.threshold() / 2
                && nowMillis - stepSinceMillis >= stepMillis / 2);
    if (!healthy) {
      return;
    }
    stepSinceMillis = nowMillis;
    double before = canaryPercent();
    step++;
    canaryCallsAtStep = canaryCalls;
    setWeights(stepWeights(steps.get(step)));
    if (promotions != null) {
      engine.telemetry.guard(promotions::increment);
    }
    String reason =
        "step "
            + (step + 1)
            + " of "
            + steps.size()
            + (step > 0 ? ", the canary healthy on the step before" : "");
    record(CanaryEvent.Kind.PROMOTED, before, reason, evidence);
    log.info(
        "canary guard of service '{}' route '{}' promoted {} from {}% to {}% ({})",
        service, routeName, policy.canary(), percent(before), percent(canaryPercent()), reason);
  }

  /** The step the schedule is at {@code millis}: -1 before the start time. */
  private int scheduledStep(long millis) {
    List<Double> steps = policy.promotion().steps();
    if (steps.isEmpty() || millis < anchorMillis) {
      return -1;
    }
    long k = (millis - anchorMillis) / stepMillis;
    return (int) Math.min(k, steps.size() - 1);
  }

  private void setWeights(int[] w) {
    weights = w;
    if (targets != null) {
      targets.reweigh(w);
    }
  }

  private int[] configuredWeights() {
    int[] w = new int[destinations.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = destinations.get(i).weight();
    }
    return w;
  }

  /**
   * The route's weights with the canary at {@code percent} of what baseline and canary together are
   * configured to take; other destinations keep their share. Scaled by 10,000 so that fractional
   * percents hold, and scaled back down if that would overflow.
   */
  private int[] stepWeights(double percent) {
    int[] configured = configuredWeights();
    long pair = (long) configured[baselineIndex] + configured[canaryIndex];
    if (pair == 0) {
      pair = 1;
    }
    long[] w = new long[configured.length];
    for (int i = 0; i < w.length; i++) {
      w[i] = (long) configured[i] * 10_000;
    }
    long canaryShare = Math.round(pair * 10_000 * percent / 100);
    w[canaryIndex] = canaryShare;
    w[baselineIndex] = pair * 10_000 - canaryShare;
    long total = 0;
    for (long x : w) {
      total += x;
    }
    long divisor = total / Integer.MAX_VALUE + 1;
    int[] out = new int[w.length];
    for (int i = 0; i < w.length; i++) {
      out[i] = (int) (w[i] == 0 ? 0 : Math.max(1, w[i] / divisor));
    }
    return out;
  }

  private static long sum(int[] w) {
    long s = 0;
    for (int x : w) {
      s += x;
    }
    return s;
  }

  double canaryPercent() {
    int[] w = weights;
    long pair = (long) w[baselineIndex] + w[canaryIndex];
    return pair == 0 ? 0 : 100.0 * w[canaryIndex] / pair;
  }

  CanaryStatus.State currentState() {
    if (rolledBack) {
      return CanaryStatus.State.ROLLED_BACK;
    }
    if (step >= 0 && policy.promotion().steps().get(step) >= 100) {
      return CanaryStatus.State.PROMOTED;
    }
    return evidenceJudged ? CanaryStatus.State.HEALTHY : CanaryStatus.State.WARMING_UP;
  }

  private boolean evidenceJudged;

  private CanaryEvent.Evidence evidence(CanaryJudge.Evidence e) {
    evidenceJudged = e.judged();
    return new CanaryEvent.Evidence(
        e.test() == null ? "" : e.test().name().toLowerCase(Locale.ROOT),
        e.baselineCalls(),
        e.baselineFailures(),
        e.canaryCalls(),
        e.canaryFailures(),
        e.errorRateLimit(),
        Duration.ofNanos(e.baselineLatencyNanos()),
        Duration.ofNanos(e.canaryLatencyNanos()),
        Duration.ofNanos(e.latencyLimitNanos()),
        e.errorStatistic(),
        e.latencyStatistic(),
        e.threshold(),
        e.errorRunCalls(),
        e.errorRunFailures(),
        e.latencyRunCalls(),
        e.latencyRunSlow());
  }

  private CanaryEvent record(
      CanaryEvent.Kind kind, double before, String reason, CanaryEvent.Evidence ev) {
    double after = canaryPercent();
    CanaryEvent event =
        new CanaryEvent(
            Instant.ofEpochMilli(engine.ticker.currentTimeMillis()),
            service,
            routeName,
            kind,
            policy.canary(),
            Double.isNaN(before) ? after : before,
            after,
            reason,
            ev);
    history.addLast(event);
    while (history.size() > CanaryGuards.HISTORY) {
      history.removeFirst();
    }
    return event;
  }

  private void publish() {
    List<CanaryStatus.Weight> ws = new ArrayList<>(destinations.size());
    for (int i = 0; i < destinations.size(); i++) {
      ws.add(new CanaryStatus.Weight(CanaryPolicy.ref(destinations.get(i)), weights[i]));
    }
    List<Double> steps = policy.promotion().steps();
    Instant next =
        steps.isEmpty() || step >= steps.size() - 1 || rolledBack
            ? null
            : Instant.ofEpochMilli(anchorMillis + (step + 1) * stepMillis);
    List<CanaryEvent> h = List.copyOf(history);
    status =
        new CanaryStatus(
            service,
            routeName,
            policy.baseline(),
            policy.canary(),
            currentState(),
            canaryPercent(),
            ws,
            steps,
            step,
            next,
            evidence,
            Instant.ofEpochMilli(sinceMillis),
            h);
  }

  /** The state at the last evaluation. Any thread. */
  CanaryStatus status() {
    return status;
  }

  /**
   * Adds the rollback's span event to the first call span that ends after it, so that traces show
   * where the split changed. Any thread; a volatile read when there is nothing to add.
   */
  void annotate(Span span) {
    CanaryEvent e = pendingSpanEvent.get();
    if (e == null || !pendingSpanEvent.compareAndSet(e, null)) {
      return;
    }
    engine.telemetry.guard(
        () ->
            span.addEvent(
                SPAN_EVENT,
                Attributes.builder()
                    .put(Telemetry.ATTR_SERVICE, service)
                    .put(Telemetry.ATTR_ROUTE, routeName)
                    .put(AttributeKey.stringKey("weft.canary"), e.canary())
                    .put(AttributeKey.stringKey("weft.canary.test"), e.evidence().test())
                    .put(AttributeKey.longKey("weft.canary.calls"), e.evidence().canaryCalls())
                    .put(
                        AttributeKey.longKey("weft.canary.failures"), e.evidence().canaryFailures())
                    .put(AttributeKey.stringKey("weft.canary.reason"), e.reason())
                    .build()));
  }

  private static String percent(double p) {
    return p == Math.rint(p)
        ? Long.toString((long) p)
        : String.format(Locale.ROOT, "%.2f", p).replaceAll("0+$", "");
  }
}
