package dev.weft.mesh.core;

import dev.weft.mesh.api.config.Route;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The canary guards of a mesh, read-only: for each guarded route its destinations, the weights in
 * force in this process, what the guard is doing, the figures of its last evaluation, and what it
 * did (started, promoted, rolled back) with the evidence. For consoles, health checks and control
 * planes that roll a bad canary back fleet-wide. {@link Mesh#canaryGuards()} returns it.
 *
 * <p>Thread-safe; every method returns immutable values and is cheap (no statistics are computed:
 * they are those of the guard's last evaluation).
 */
public final class CanaryGuards {
  /** How many events each guard's history keeps. */
  public static final int HISTORY = 32;

  private final Engine engine;

  /** The guards in force, by service and route; written on the control path. */
  private final Map<String, CanaryGuard> guards = new ConcurrentHashMap<>();

  /** The guards of the configuration being compiled. Control path only. */
  private final Map<String, CanaryGuard> next = new HashMap<>();

  CanaryGuards(Engine engine) {
    this.engine = engine;
  }

  /** Every guard's status, ordered by service and route. */
  public List<CanaryStatus> statuses() {
    List<CanaryStatus> all = new ArrayList<>(guards.size());
    for (CanaryGuard g : guards.values()) {
      all.add(g.status());
    }
    all.sort(Comparator.comparing(CanaryStatus::service).thenComparing(CanaryStatus::route));
    return List.copyOf(all);
  }

  /** The status of the guard of {@code route} of {@code service}, if it has one. */
  public Optional<CanaryStatus> status(String service, String route) {
    CanaryGuard g = guards.get(key(service, route));
    return g == null ? Optional.empty() : Optional.of(g.status());
  }

  /** Every guard's events, oldest first. */
  public List<CanaryEvent> events() {
    List<CanaryEvent> all = new ArrayList<>();
    for (CanaryStatus s : statuses()) {
      all.addAll(s.history());
    }
    all.sort(Comparator.comparing(CanaryEvent::at));
    return List.copyOf(all);
  }

  // ---- the compiler's side (control path) ----

  /** Wires a compiled route to its guard: the one in force if it still fits, else a new one. */
  void prepare(String service, Route route, RouteTarget[] targets, WeightedTargets weighted) {
    String key = key(service, route.name());
    CanaryGuard g = guards.get(key);
    if (g == null || !g.fits(route)) {
      g = new CanaryGuard(engine, service, route);
    }
    g.prepare(targets, weighted);
    next.put(key, g);
  }

  /** The compiled configuration is in force: guards it dropped or replaced stop. */
  void commit() {
    for (Map.Entry<String, CanaryGuard> e : guards.entrySet()) {
      if (next.get(e.getKey()) != e.getValue()) {
        e.getValue().close();
      }
    }
    guards.keySet().retainAll(next.keySet());
    for (Map.Entry<String, CanaryGuard> e : next.entrySet()) {
      e.getValue().commit();
      guards.put(e.getKey(), e.getValue());
    }
    next.clear();
  }

  /** A compilation failed: the guards it prepared are dropped. */
  void abort() {
    for (Map.Entry<String, CanaryGuard> e : next.entrySet()) {
      if (guards.get(e.getKey()) != e.getValue()) {
        e.getValue().close();
      }
    }
    next.clear();
  }

  /** Stops every guard (the mesh is closing). */
  void closeAll() {
    for (CanaryGuard g : guards.values()) {
      g.close();
    }
    guards.clear();
  }

  /** The statuses as plain data for the config dump. */
  List<Object> describe() {
    List<Object> out = new ArrayList<>();
    for (CanaryStatus s : statuses()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("service", s.service());
      m.put("route", s.route());
      m.put("baseline", s.baseline());
      m.put("canary", s.canary());
      m.put("state", s.state().name().toLowerCase(java.util.Locale.ROOT));
      m.put("canaryPercent", s.canaryPercent());
      Map<String, Object> w = new LinkedHashMap<>();
      for (CanaryStatus.Weight x : s.weights()) {
        w.put(x.destination(), x.weight());
      }
      m.put("weights", w);
      if (!s.steps().isEmpty()) {
        m.put("steps", s.steps());
        m.put("step", s.step());
        if (s.nextStepAt() != null) {
          m.put("nextStepAt", s.nextStepAt().toString());
        }
      }
      m.put("evidence", evidence(s.evidence()));
      List<Object> h = new ArrayList<>();
      for (CanaryEvent e : s.history()) {
        Map<String, Object> em = new LinkedHashMap<>();
        em.put("at", e.at().toString());
        em.put("kind", e.kind().name().toLowerCase(java.util.Locale.ROOT));
        em.put("canaryPercentBefore", e.canaryPercentBefore());
        em.put("canaryPercentAfter", e.canaryPercentAfter());
        em.put("reason", e.reason());
        if (e.kind() == CanaryEvent.Kind.ROLLED_BACK) {
          em.put("evidence", evidence(e.evidence()));
        }
        h.add(em);
      }
      m.put("history", h);
      out.add(m);
    }
    return out;
  }

  private static Map<String, Object> evidence(CanaryEvent.Evidence e) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (!e.test().isEmpty()) {
      m.put("test", e.test());
    }
    m.put("baselineCalls", e.baselineCalls());
    m.put("baselineFailures", e.baselineFailures());
    m.put("canaryCalls", e.canaryCalls());
    m.put("canaryFailures", e.canaryFailures());
    if (!Double.isNaN(e.errorRateLimit())) {
      m.put("errorRateLimit", e.errorRateLimit());
    }
    m.put("baselineLatencyMillis", e.baselineLatency().toNanos() / 1e6);
    m.put("canaryLatencyMillis", e.canaryLatency().toNanos() / 1e6);
    m.put("latencyLimitMillis", e.latencyLimit().toNanos() / 1e6);
    m.put("errorStatistic", e.errorStatistic());
    m.put("latencyStatistic", e.latencyStatistic());
    m.put("threshold", e.threshold());
    m.put("errorRunCalls", e.errorRunCalls());
    m.put("errorRunFailures", e.errorRunFailures());
    m.put("latencyRunCalls", e.latencyRunCalls());
    m.put("latencyRunSlow", e.latencyRunSlow());
    return m;
  }

  private static String key(String service, String route) {
    return service + '\u0000' + route;
  }
}
