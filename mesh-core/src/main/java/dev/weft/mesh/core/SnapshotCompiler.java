package dev.weft.mesh.core;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.ConfigViolation;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.MirrorPolicy;
import dev.weft.mesh.api.config.Resilience4jInstances;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.core.internal.health.LocalRateLimiter;
import dev.weft.mesh.core.spi.CallGuard;
import dev.weft.mesh.core.spi.CallGuardFactory;
import dev.weft.mesh.core.spi.RouteDestination;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles configurations into {@link MeshSnapshot}s for the call path, keeping each cluster's
 * state (endpoints, health, load) across updates that keep the cluster. Used on the control path
 * only, under the engine's control lock.
 */
final class SnapshotCompiler {
  private final Engine engine;
  private final CallGuardFactory callGuards;
  private final Map<String, ClusterState> clusters = new HashMap<>();
  final CanaryGuards canaries;

  /**
   * @param callGuards makes the guards of routes and clusters that name Resilience4j instances;
   *     null when the mesh has none (a configuration that names instances is then rejected)
   */
  SnapshotCompiler(Engine engine, CallGuardFactory callGuards) {
    this.engine = engine;
    this.callGuards = callGuards;
    this.canaries = new CanaryGuards(engine);
  }

  /**
   * Checks and compiles {@code config}; clusters it drops are closed and their endpoints reported
   * removed.
   *
   * @throws InvalidConfigException if the engine cannot run it (and then nothing changed)
   */
  MeshSnapshot compile(MeshConfig config) {
    validate(config);
    Guards guards = guards(config);
    Map<String, ClusterState> next = new LinkedHashMap<>();
    for (Cluster c : config.clusters()) {
      ClusterState state = clusters.get(c.name());
      if (state == null) {
        state = new ClusterState(c, engine);
      } else {
        state.apply(c);
      }
      next.put(c.name(), state);
    }
    for (Map.Entry<String, ClusterState> old : clusters.entrySet()) {
      if (!next.containsKey(old.getKey())) {
        old.getValue().close();
        engine.notifyRemoved(old.getValue(), old.getValue().endpoints());
      }
    }
    clusters.clear();
    clusters.putAll(next);

    Map<String, ServiceRouter> routers = new HashMap<>();
    try {
      for (Service s : config.services()) {
        CompiledRoute[] routes = new CompiledRoute[s.routes().size()];
        for (int i = 0; i < routes.length; i++) {
          routes[i] = compileRoute(s.name(), s.routes().get(i), next, guards);
        }
        routers.put(s.name(), new ServiceRouter(s.name(), routes));
      }
    } catch (RuntimeException e) {
      canaries.abort();
      throw e;
    }
    // The snapshot is published right after this returns, under the same control lock.
    canaries.commit();
    // A cluster is reachable as a service of its own name unless a service claims the name.
    for (Cluster c : config.clusters()) {
      routers.computeIfAbsent(
          c.name(),
          n ->
              new ServiceRouter(
                  n,
                  new CompiledRoute[] {
                    compileRoute(
                        n,
                        Route.builder("default").destinations(Destination.of(n)).build(),
                        next,
                        guards)
                  }));
    }
    return new MeshSnapshot(
        config, Map.copyOf(routers), Map.copyOf(next), engine.ticker.currentTimeMillis());
  }

  /** Closes every cluster's state (the mesh is closing). */
  void closeAll() {
    canaries.closeAll();
    for (ClusterState c : clusters.values()) {
      c.close();
    }
  }

  /**
   * Checks what only the engine knows: load-balancing policies and their options, and that route
   * regexes are RE2 expressions.
   */
  private void validate(MeshConfig config) {
    List<ConfigViolation> violations = new ArrayList<>();
    for (int s = 0; s < config.services().size(); s++) {
      List<Route> routes = config.services().get(s).routes();
      for (int r = 0; r < routes.size(); r++) {
        String at = "services[" + s + "].routes[" + r + "].match.";
        dev.weft.mesh.api.config.RouteMatch match = routes.get(r).match();
        if (match.path().kind() == dev.weft.mesh.api.config.PathMatch.Kind.REGEX) {
          String problem = RouteMatcher.regexProblem(match.path().value());
          if (problem != null) {
            violations.add(ConfigViolation.of(at + "path.value", problem));
          }
        }
        for (int h = 0; h < match.headers().size(); h++) {
          dev.weft.mesh.api.config.HeaderMatch header = match.headers().get(h);
          if (header.kind() == dev.weft.mesh.api.config.HeaderMatch.Kind.REGEX) {
            String problem = RouteMatcher.regexProblem(header.value());
            if (problem != null) {
              violations.add(ConfigViolation.of(at + "headers[" + h + "].value", problem));
            }
          }
        }
      }
    }
    for (int i = 0; i < config.clusters().size(); i++) {
      Cluster c = config.clusters().get(i);
      for (ConfigViolation v : engine.loadBalancers.validate(c.loadBalancing())) {
        violations.add(v.under("clusters[" + i + "].loadBalancing"));
      }
    }
    if (!violations.isEmpty()) {
      throw new InvalidConfigException(violations);
    }
  }

  /** The guards of the routes and clusters that name Resilience4j instances. */
  private record Guards(Map<Route, CallGuard> routes, Map<String, CallGuard> clusters) {}

  /**
   * Makes the guards the configuration's routes and clusters name, before anything changes, so that
   * a name the factory cannot resolve rejects the configuration whole.
   */
  private Guards guards(MeshConfig config) {
    Map<Route, CallGuard> routes = new IdentityHashMap<>();
    Map<String, CallGuard> byCluster = new HashMap<>();
    List<ConfigViolation> violations = new ArrayList<>();
    for (int s = 0; s < config.services().size(); s++) {
      Service service = config.services().get(s);
      for (int r = 0; r < service.routes().size(); r++) {
        Route route = service.routes().get(r);
        CallGuard g =
            guard(
                "route '" + route.name() + "' of service '" + service.name() + "'",
                route.resilience4j(),
                "services[" + s + "].routes[" + r + "].resilience4j",
                violations);
        if (g != null) {
          routes.put(route, g);
        }
      }
    }
    for (int i = 0; i < config.clusters().size(); i++) {
      Cluster c = config.clusters().get(i);
      CallGuard g =
          guard(
              "cluster '" + c.name() + "'",
              c.resilience4j(),
              "clusters[" + i + "].resilience4j",
              violations);
      if (g != null) {
        byCluster.put(c.name(), g);
      }
    }
    if (!violations.isEmpty()) {
      throw new InvalidConfigException(violations);
    }
    return new Guards(routes, byCluster);
  }

  private CallGuard guard(
      String owner, Resilience4jInstances names, String at, List<ConfigViolation> violations) {
    if (!names.any()) {
      return null;
    }
    if (callGuards == null) {
      violations.add(
          ConfigViolation.of(
              at,
              owner
                  + " names Resilience4j instances, but the mesh was built without a"
                  + " CallGuardFactory to resolve them (add mesh-resilience4j and pass its"
                  + " Resilience4jCallGuards to Mesh.Builder.callGuards)"));
      return null;
    }
    try {
      CallGuard g = callGuards.create(owner, names);
      if (g == null) {
        violations.add(ConfigViolation.of(at, "the CallGuardFactory made no guard for " + owner));
      }
      return g;
    } catch (IllegalArgumentException e) {
      violations.add(ConfigViolation.of(at, e.getMessage()));
      return null;
    } catch (RuntimeException e) {
      violations.add(ConfigViolation.of(at, "the CallGuardFactory failed for " + owner + ": " + e));
      return null;
    }
  }

  private CompiledRoute compileRoute(
      String service, Route route, Map<String, ClusterState> states, Guards guards) {
    List<Destination> ds = route.destinations();
    RouteTarget[] targets = new RouteTarget[ds.size()];
    int[] weights = new int[ds.size()];
    for (int i = 0; i < targets.length; i++) {
      String cluster = ds.get(i).cluster();
      targets[i] =
          new RouteTarget(
              states.get(cluster),
              ds.get(i).subset(),
              new RouteDestination(service, route.name(), cluster, ds.get(i).subset()),
              guards.clusters().get(cluster));
      weights[i] = ds.get(i).weight();
    }
    CompiledRoute.MirrorTarget[] mirrors = new CompiledRoute.MirrorTarget[route.mirrors().size()];
    for (int i = 0; i < mirrors.length; i++) {
      MirrorPolicy m = route.mirrors().get(i);
      mirrors[i] =
          new CompiledRoute.MirrorTarget(
              new RouteTarget(states.get(m.cluster()), m.subset()), m.percent());
    }
    WeightedTargets weighted = new WeightedTargets(targets, weights);
    if (route.canary().enabled()) {
      canaries.prepare(service, route, targets, weighted);
    }
    LocalRateLimiter limiter =
        route.rateLimit().enabled() ? new LocalRateLimiter(route.rateLimit(), engine.ticker) : null;
    return new CompiledRoute(
        service,
        route,
        weighted,
        mirrors,
        limiter,
        guards.routes().get(route),
        engine.telemetry,
        engine.random);
  }
}
