package dev.weft.mesh.console;

import dev.weft.mesh.core.ConfigUpdate;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.core.spi.RouteDestination;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds what the page shows, as plain data: the mesh's own description (one snapshot of services,
 * routes and clusters) with each route destination's share and golden metrics added, the canary
 * guards, the configuration's recent updates and the recent denials; redacted last.
 */
final class ConsoleState {
  private static final Logger log = LoggerFactory.getLogger(ConsoleState.class);

  private ConsoleState() {}

  static Map<String, Object> of(
      Mesh mesh, GoldenMetrics metrics, CanaryStatusProvider canaries, DenialSource denials) {
    Map<String, Object> dump = mesh.describe();
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("generatedAt", Instant.ofEpochMilli(mesh.ticker().currentTimeMillis()).toString());
    root.put("windowSeconds", metrics.windowSeconds());

    Map<String, Object> head = new LinkedHashMap<>();
    head.put("ready", dump.get("version") != null);
    for (String k :
        List.of(
            "mesh",
            "version",
            "appliedAt",
            "source",
            "sourceStatus",
            "startupMode",
            "awaiting",
            "waitingCalls",
            "lastError",
            "lastErrorAt")) {
      if (dump.containsKey(k)) {
        head.put(k, dump.get(k));
      }
    }
    root.put("mesh", head);

    Set<RouteDestination> configured = new HashSet<>();
    root.put("services", services(dump.get("services"), metrics, configured));
    metrics.forgetIdleExcept(configured);
    root.put("clusters", dump.getOrDefault("clusters", List.of()));
    root.put("canaries", canaries(canaries));
    root.put("configUpdates", configUpdates(mesh.recentConfigUpdates()));
    root.put("denials", denials(denials));
    @SuppressWarnings("unchecked")
    Map<String, Object> redacted = (Map<String, Object>) Redaction.redact(root);
    return redacted;
  }

  private static List<Object> services(
      Object described, GoldenMetrics metrics, Set<RouteDestination> configured) {
    List<Object> out = new ArrayList<>();
    Set<String> seenRoutes = new HashSet<>();
    if (described instanceof List<?> services) {
      for (Object o : services) {
        Map<String, Object> svc = copy(o);
        String service = String.valueOf(svc.get("name"));
        List<Object> routes = new ArrayList<>();
        if (svc.get("routes") instanceof List<?> rs) {
          for (Object r : rs) {
            Map<String, Object> route = copy(r);
            String name = String.valueOf(route.get("name"));
            seenRoutes.add(service + "\u0000" + name);
            route.put(
                "destinations",
                destinations(service, name, route.get("destinations"), metrics, configured));
            routes.add(route);
          }
        }
        svc.put("routes", routes);
        out.add(svc);
      }
    }
    // Calls to a cluster by its own name go through an implicit route that the configuration does
    // not list; show those that saw traffic.
    Map<String, Map<String, Object>> implicit = new LinkedHashMap<>();
    for (RouteDestination d : metrics.destinations()) {
      if (configured.contains(d) || seenRoutes.contains(d.service() + "\u0000" + d.route())) {
        continue;
      }
      Map<String, Object> svc =
          implicit.computeIfAbsent(
              d.service(),
              s -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", s);
                m.put("implicit", true);
                m.put("routes", new ArrayList<>());
                return m;
              });
      Map<String, Object> dest = new LinkedHashMap<>();
      dest.put("cluster", d.cluster());
      if (!d.subset().isEmpty()) {
        dest.put("subset", d.subset());
      }
      dest.put("weight", 1);
      Map<String, Object> route = new LinkedHashMap<>();
      route.put("name", d.route());
      route.put("destinations", List.of(dest));
      @SuppressWarnings("unchecked")
      List<Object> routes = (List<Object>) svc.get("routes");
      routes.add(route);
      route.put(
          "destinations",
          destinations(d.service(), d.route(), List.of(dest), metrics, new HashSet<>()));
    }
    out.addAll(implicit.values());
    return out;
  }

  private static List<Object> destinations(
      String service,
      String route,
      Object described,
      GoldenMetrics metrics,
      Set<RouteDestination> configured) {
    List<Map<String, Object>> ds = new ArrayList<>();
    long totalWeight = 0;
    long totalCalls = 0;
    List<DestinationStats.Window> windows = new ArrayList<>();
    if (described instanceof List<?> list) {
      for (Object o : list) {
        Map<String, Object> d = copy(o);
        String cluster = String.valueOf(d.get("cluster"));
        Object subset = d.get("subset");
        RouteDestination key =
            new RouteDestination(service, route, cluster, subset == null ? "" : subset.toString());
        configured.add(key);
        d.put("target", key.target());
        totalWeight += d.get("weight") instanceof Number n ? n.longValue() : 0;
        DestinationStats.Window w = metrics.window(key);
        windows.add(w);
        totalCalls += w == null ? 0 : w.calls();
        ds.add(d);
      }
    }
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < ds.size(); i++) {
      Map<String, Object> d = ds.get(i);
      long weight = d.get("weight") instanceof Number n ? n.longValue() : 0;
      d.put("percent", totalWeight == 0 ? 0.0 : round(100.0 * weight / totalWeight, 1));
      DestinationStats.Window w = windows.get(i);
      d.put(
          "observedPercent",
          w == null || totalCalls == 0 ? null : round(100.0 * w.calls() / totalCalls, 1));
      d.put("metrics", metrics(w));
      out.add(d);
    }
    return out;
  }

  private static Map<String, Object> metrics(DestinationStats.Window w) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (w == null) {
      m.put("calls", 0);
      m.put("attempts", 0);
      m.put("rps", 0.0);
      m.put("successRate", null);
      m.put("attemptSuccessRate", null);
      m.put("p50Millis", null);
      m.put("p99Millis", null);
      return m;
    }
    m.put("calls", w.calls());
    m.put("attempts", w.attempts());
    m.put("rps", round(w.callsPerSecond(), 2));
    m.put("successRate", rate(w.successRate()));
    m.put("attemptSuccessRate", rate(w.attemptSuccessRate()));
    m.put("p50Millis", Double.isNaN(w.p50Millis()) ? null : round(w.p50Millis(), 3));
    m.put("p99Millis", Double.isNaN(w.p99Millis()) ? null : round(w.p99Millis(), 3));
    return m;
  }

  private static Object rate(double r) {
    return Double.isNaN(r) ? null : round(r, 4);
  }

  private static Map<String, Object> canaries(CanaryStatusProvider provider) {
    Map<String, Object> m = new LinkedHashMap<>();
    List<Object> items = new ArrayList<>();
    try {
      for (CanaryStatus c : provider.canaries()) {
        Map<String, Object> cm = new LinkedHashMap<>();
        cm.put("service", c.service());
        cm.put("route", c.route());
        cm.put("baseline", c.baseline());
        cm.put("canary", c.canary());
        cm.put("state", c.state());
        cm.put("canaryPercent", round(c.canaryPercent(), 1));
        cm.put("configuredPercent", round(c.configuredPercent(), 1));
        cm.put("verdict", c.verdict());
        List<Object> history = new ArrayList<>();
        for (int i = c.history().size() - 1; i >= 0; i--) {
          CanaryStatus.Event e = c.history().get(i);
          history.add(Map.of("time", e.time().toString(), "kind", e.kind(), "detail", e.detail()));
        }
        cm.put("history", history);
        items.add(cm);
      }
    } catch (RuntimeException e) {
      log.warn("the canary status provider failed; the console shows its error", e);
      m.put("error", "the canary status provider failed: " + e);
    }
    m.put("guarded", provider != CanaryStatusProvider.NONE);
    m.put("items", items);
    return m;
  }

  private static List<Object> configUpdates(List<ConfigUpdate> updates) {
    List<Object> out = new ArrayList<>();
    for (int i = updates.size() - 1; i >= 0; i--) {
      ConfigUpdate u = updates.get(i);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("time", u.time().toString());
      m.put("version", u.version());
      m.put("accepted", u.accepted());
      m.put("detail", u.detail());
      out.add(m);
    }
    return out;
  }

  private static Map<String, Object> denials(DenialSource source) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("audited", source != null);
    List<Object> items = new ArrayList<>();
    if (source != null) {
      try {
        for (Denial d : source.recentDenials()) {
          Map<String, Object> dm = new LinkedHashMap<>();
          dm.put("time", d.time().toString());
          dm.put("service", d.service());
          dm.put("caller", d.caller());
          dm.put("method", d.method());
          dm.put("path", d.path());
          dm.put("policy", d.policy());
          dm.put("rule", d.rule());
          dm.put("basis", d.basis());
          dm.put("reason", d.reason());
          items.add(dm);
        }
      } catch (RuntimeException e) {
        log.warn("the denial source failed; the console shows its error", e);
        m.put("error", "the denial source failed: " + e);
      }
    }
    m.put("items", items);
    return m;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> copy(Object o) {
    return o instanceof Map<?, ?> m
        ? new LinkedHashMap<>((Map<String, Object>) m)
        : new LinkedHashMap<>();
  }

  private static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }
}
