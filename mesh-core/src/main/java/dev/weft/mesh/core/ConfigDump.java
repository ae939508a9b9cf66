package dev.weft.mesh.core;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.HeaderMatch;
import dev.weft.mesh.api.config.MirrorPolicy;
import dev.weft.mesh.api.config.Resilience4jInstances;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.core.internal.health.OutlierTracker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Builds the plain-data view of everything in force that {@link Mesh#configDump()} renders. */
final class ConfigDump {

  static Map<String, Object> of(Mesh mesh, MeshSnapshot s) {
    Map<String, Object> root = mesh.status();
    if (s == null) {
      return root;
    }
    List<Object> services = new ArrayList<>();
    for (Service svc : s.config.services()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", svc.name());
      List<Object> routes = new ArrayList<>();
      for (Route r : svc.routes()) {
        routes.add(route(r));
      }
      m.put("routes", routes);
      services.add(m);
    }
    root.put("services", services);
    List<Object> clusters = new ArrayList<>();
    for (Cluster c : s.config.clusters()) {
      ClusterState state = s.clusters.get(c.name());
      clusters.add(cluster(c, state, mesh.ticker().nanoTime()));
    }
    root.put("clusters", clusters);
    List<Object> canaries = mesh.canaryGuards().describe();
    if (!canaries.isEmpty()) {
      root.put("canaries", canaries);
    }
    return root;
  }

  private static Map<String, Object> route(Route r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", r.name());
    Map<String, Object> match = new LinkedHashMap<>();
    match.put(
        "path",
        r.match().path().kind().name().toLowerCase(Locale.ROOT)
            + " "
            + r.match().path().value()
            + (r.match().path().ignoreCase() ? " (ignoring case)" : ""));
    if (!r.match().methods().isEmpty()) {
      match.put("methods", r.match().methods());
    }
    if (!r.match().headers().isEmpty()) {
      List<Object> hs = new ArrayList<>();
      for (HeaderMatch h : r.match().headers()) {
        hs.add(header(h));
      }
      match.put("headers", hs);
    }
    m.put("match", match);
    List<Object> ds = new ArrayList<>();
    for (Destination d : r.destinations()) {
      Map<String, Object> dm = new LinkedHashMap<>();
      dm.put("cluster", d.cluster());
      if (!d.subset().isEmpty()) {
        dm.put("subset", d.subset());
      }
      dm.put("weight", d.weight());
      ds.add(dm);
    }
    m.put("destinations", ds);
    if (!r.timeout().isZero()) {
      m.put("timeout", r.timeout().toString());
    }
    if (r.retry().enabled()) {
      Map<String, Object> rm = new LinkedHashMap<>();
      rm.put("maxAttempts", r.retry().maxAttempts());
      rm.put("perTryTimeout", r.retry().perTryTimeout().toString());
      rm.put("retryOn", r.retry().retryOn().stream().map(x -> x.configName()).sorted().toList());
      m.put("retry", rm);
    }
    if (r.hedging().enabled()) {
      m.put(
          "hedging",
          Map.of(
              "maxAttempts",
              r.hedging().maxAttempts(),
              "delay",
              r.hedging().delay().toString(),
              "delayPercentile",
              r.hedging().delayPercentile()));
    }
    if (r.fault().enabled()) {
      Map<String, Object> f = new LinkedHashMap<>();
      if (r.fault().delay().enabled()) {
        f.put(
            "delay",
            r.fault().delay().fixedDelay().toString()
                + " for "
                + r.fault().delay().percent()
                + "%");
      }
      if (r.fault().abort().enabled()) {
        f.put(
            "abort",
            "HTTP "
                + r.fault().abort().httpStatus()
                + (r.fault().abort().grpcStatus().isEmpty()
                    ? ""
                    : " / " + r.fault().abort().grpcStatus())
                + " for "
                + r.fault().abort().percent()
                + "%");
      }
      m.put("fault", f);
    }
    if (!r.mirrors().isEmpty()) {
      List<Object> ms = new ArrayList<>();
      for (MirrorPolicy mp : r.mirrors()) {
        ms.add(
            mp.cluster()
                + (mp.subset().isEmpty() ? "" : "/" + mp.subset())
                + " "
                + mp.percent()
                + "%");
      }
      m.put("mirrors", ms);
    }
    if (r.rateLimit().enabled()) {
      m.put(
          "rateLimit",
          r.rateLimit().tokensPerFill()
              + " per "
              + r.rateLimit().fillInterval()
              + ", burst "
              + r.rateLimit().maxTokens());
    }
    if (r.resilience4j().any()) {
      m.put("resilience4j", resilience4j(r.resilience4j()));
    }
    return m;
  }

  private static Map<String, Object> resilience4j(Resilience4jInstances names) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (!names.circuitBreaker().isEmpty()) {
      m.put("circuitBreaker", names.circuitBreaker());
    }
    if (!names.bulkhead().isEmpty()) {
      m.put("bulkhead", names.bulkhead());
    }
    if (!names.rateLimiter().isEmpty()) {
      m.put("rateLimiter", names.rateLimiter());
    }
    return m;
  }

  private static String header(HeaderMatch h) {
    String body =
        switch (h.kind()) {
          case PRESENT -> "present";
          case RANGE -> "in [" + h.rangeStart() + ", " + h.rangeEnd() + ")";
          default -> h.kind().name().toLowerCase(Locale.ROOT) + " '" + h.value() + "'";
        };
    return h.name()
        + " "
        + (h.invert() ? "not " : "")
        + body
        + (h.ignoreCase() ? " (ignoring case)" : "");
  }

  private static Map<String, Object> cluster(Cluster c, ClusterState state, long nowNanos) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", c.name());
    m.put("loadBalancing", c.loadBalancing().policy());
    if (!c.subsets().isEmpty()) {
      Map<String, Object> subsets = new LinkedHashMap<>();
      c.subsets().forEach(s -> subsets.put(s.name(), s.labels()));
      m.put("subsets", subsets);
    }
    m.put(
        "circuitBreakers",
        Map.of(
            "maxRequests", c.circuitBreakers().maxRequests(),
            "maxRetries", c.circuitBreakers().maxRetries(),
            "activeRequests", state.limits().activeRequests(),
            "activeRetries", state.limits().activeRetries()));
    m.put("outlierDetection", c.outlierDetection().enabled() ? "enabled" : "disabled");
    m.put(
        "retryBudget",
        Map.of(
            "percent", c.retryBudget().percent(),
            "minRetriesPerSecond", c.retryBudget().minRetriesPerSecond(),
            "balance", state.retryBudget().balance()));
    m.put("tls", c.tls().mode().name().toLowerCase(Locale.ROOT));
    if (c.resilience4j().any()) {
      m.put("resilience4j", resilience4j(c.resilience4j()));
    }
    List<Object> endpoints = new ArrayList<>();
    for (EndpointState e : state.endpoints()) {
      Endpoint ep = e.endpoint();
      Map<String, Object> em = new LinkedHashMap<>();
      em.put("address", ep.address());
      em.put("weight", ep.weight());
      em.put("effectiveWeight", e.weight());
      em.put("priority", ep.priority());
      em.put("locality", ep.locality().toString());
      em.put("health", ep.health().name().toLowerCase(Locale.ROOT));
      em.put("ejected", e.ejected());
      OutlierTracker t = e.outlierTracker();
      if (t != null && t.ejectionCount() > 0) {
        em.put("ejections", t.ejectionCount());
      }
      em.put("activeRequests", e.activeRequests());
      em.put("latencyEwmaMillis", Math.round(e.peakEwmaNanos() / 1e4) / 100.0);
      if (!ep.labels().isEmpty()) {
        em.put("labels", ep.labels());
      }
      endpoints.add(em);
    }
    m.put("endpoints", endpoints);
    return m;
  }

  private ConfigDump() {}
}
