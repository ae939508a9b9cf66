package dev.weft.mesh.core;

import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.config.Subset;
import dev.weft.mesh.api.runtime.Nanos;
import dev.weft.mesh.api.runtime.RandomSource;
import dev.weft.mesh.api.runtime.Scheduler;
import dev.weft.mesh.api.spi.LbEndpoint;
import dev.weft.mesh.api.spi.LoadBalancerContext;
import dev.weft.mesh.api.spi.PickContext;
import dev.weft.mesh.core.internal.health.ClusterLimits;
import dev.weft.mesh.core.internal.health.OutlierDetector;
import dev.weft.mesh.core.internal.health.RetryBudgetTracker;
import dev.weft.mesh.core.internal.lb.ClusterBalancer;
import dev.weft.mesh.core.internal.lb.PeakEwma;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the engine keeps about one cluster across configuration updates: endpoint states,
 * balancers for the whole cluster and each subset, outlier detection, limits and the retry budget.
 *
 * <p>Threading: {@link #apply}, {@link #rebuildBalancers}, {@link #refreshSlowStart} and {@link
 * #close} run on the mesh's control path, serially. {@link #pick} and the getters used by calls
 * read volatile fields only.
 */
final class ClusterState {
  private final String name;
  private final EngineContext engine;
  private volatile Cluster config;
  private final Map<String, EndpointState> endpoints = new LinkedHashMap<>();
  private volatile List<EndpointState> endpointList = List.of();
  private volatile Balanced whole;
  private volatile Map<String, Balanced> subsets = Map.of();
  private volatile OutlierDetector outlierDetector;
  private volatile RetryBudgetTracker retryBudget;
  private final ClusterLimits limits;
  private Scheduler.Cancellable outlierTimer;

  ClusterState(Cluster config, EngineContext engine) {
    this.name = config.name();
    this.engine = engine;
    this.limits = new ClusterLimits(config.circuitBreakers());
    apply(config);
  }

  /**
   * The outlier detector ejected or returned endpoints: counts its new ejections and has the
   * balancers rebuilt. Any thread (ejections for consecutive failures happen on the call path).
   */
  private void ejectionsChanged() {
    OutlierDetector detector = outlierDetector;
    long ejected = detector == null ? 0 : detector.takeNewEjections();
    Telemetry telemetry = engine.telemetry();
    if (ejected > 0 && telemetry != null) {
      telemetry.ejectionsChanged(name, (int) Math.min(Integer.MAX_VALUE, ejected));
    }
    engine.onEjectionChange(this);
  }

  String name() {
    return name;
  }

  Cluster config() {
    return config;
  }

  ClusterLimits limits() {
    return limits;
  }

  RetryBudgetTracker retryBudget() {
    return retryBudget;
  }

  List<EndpointState> endpoints() {
    return endpointList;
  }

  /** A balancer over the whole cluster or one subset; the subset must exist. */
  Balanced balanced(String subset) {
    if (subset.isEmpty()) {
      return whole;
    }
    Balanced b = subsets.get(subset);
    if (b == null) {
      throw new IllegalStateException("cluster '" + name + "' has no subset '" + subset + "'");
    }
    return b;
  }

  /** Applies a (possibly) changed configuration of this cluster. */
  void apply(Cluster updated) {
    Cluster previous = this.config;
    if (updated.equals(previous)) {
      return; // an update that leaves this cluster as it was costs it nothing
    }
    this.config = updated;
    if (previous == null || !previous.retryBudget().equals(updated.retryBudget())) {
      retryBudget = new RetryBudgetTracker(updated.retryBudget(), engine.ticker());
    }
    if (previous != null && !previous.circuitBreakers().equals(updated.circuitBreakers())) {
      limits.onConfigChange(updated.circuitBreakers());
    }
    boolean newDetector =
        previous == null || !previous.outlierDetection().equals(updated.outlierDetection());
    if (newDetector) {
      if (outlierTimer != null) {
        outlierTimer.cancel();
        outlierTimer = null;
      }
      outlierDetector =
          new OutlierDetector(
              updated.outlierDetection(), engine.ticker(), engine.random(), this::ejectionsChanged);
      if (updated.outlierDetection().enabled()) {
        long period = Nanos.of(updated.outlierDetection().interval());
        OutlierDetector detector = outlierDetector;
        outlierTimer =
            engine
                .scheduler()
                .scheduleAtFixedRate(
                    () ->
                        engine.control(
                            () -> {
                              detector.runInterval();
                              rebuildBalancers();
                            }),
                    period);
      }
    }
    // Endpoints: keep the state of addresses that stay; add new ones; drop the rest.
    Map<String, Endpoint> wanted = new LinkedHashMap<>();
    for (Endpoint e : updated.endpoints()) {
      wanted.put(e.address(), e);
    }
    List<EndpointState> removed = new ArrayList<>();
    endpoints
        .entrySet()
        .removeIf(
            entry -> {
              if (!wanted.containsKey(entry.getKey())) {
                removed.add(entry.getValue());
                return true;
              }
              return false;
            });
    if (!newDetector) {
      // With a new detector the old one, and the trackers it made, are simply dropped.
      for (EndpointState gone : removed) {
        if (gone.outlierTracker() != null) {
          outlierDetector.remove(gone.outlierTracker());
        }
      }
    }
    List<EndpointState> ordered = new ArrayList<>(wanted.size());
    for (Endpoint e : wanted.values()) {
      EndpointState state = endpoints.get(e.address());
      if (state == null) {
        state =
            new EndpointState(
                e, engine.ticker(), new PeakEwma(Duration.ofNanos(engine.ewmaDecayNanos())));
        endpoints.put(e.address(), state);
      } else {
        state.endpoint(e);
      }
      if (newDetector || state.outlierTracker() == null) {
        state.outlierTracker(outlierDetector.newTracker(e.address()));
      }
      state.refreshWeight(updated.loadBalancing().slowStart(), engine.ticker().nanoTime());
      ordered.add(state);
    }
    endpointList = List.copyOf(ordered);

    boolean lbChanged =
        previous == null || !previous.loadBalancing().equals(updated.loadBalancing());
    Balanced oldWhole = whole;
    whole = lbChanged || oldWhole == null ? newBalanced("", null) : oldWhole;
    Map<String, Balanced> newSubsets = new LinkedHashMap<>();
    for (Subset s : updated.subsets()) {
      Balanced existing = subsets.get(s.name());
      newSubsets.put(
          s.name(),
          !lbChanged && existing != null && existing.subset.equals(s)
              ? existing
              : newBalanced(s.name(), s));
    }
    subsets = Map.copyOf(newSubsets);
    rebuildBalancers();
    if (!removed.isEmpty()) {
      engine.onEndpointsRemoved(this, removed);
    }
  }

  private Balanced newBalanced(String subsetName, Subset subset) {
    LoadBalancing lb = config.loadBalancing();
    String target = subsetName.isEmpty() ? name : name + "/" + subsetName;
    LoadBalancerContext context =
        new LoadBalancerContext() {
          @Override
          public String target() {
            return target;
          }

          @Override
          public long nanoTime() {
            return engine.ticker().nanoTime();
          }

          @Override
          public RandomSource random() {
            return engine.random();
          }
        };
    return new Balanced(subsetName, subset, engine.loadBalancers().newClusterBalancer(lb, context));
  }

  /** Gives every balancer the current membership, health, ejections and weights. */
  void rebuildBalancers() {
    List<EndpointState> all = endpointList;
    whole.update(all);
    for (Balanced b : subsets.values()) {
      List<EndpointState> members = new ArrayList<>();
      for (EndpointState e : all) {
        if (b.subset.matches(e.endpoint().labels())) {
          members.add(e);
        }
      }
      b.update(members);
    }
  }

  /** Moves slow-start ramps forward; returns whether any endpoint is still ramping. */
  boolean refreshSlowStart() {
    long now = engine.ticker().nanoTime();
    boolean changed = false;
    boolean ramping = false;
    for (EndpointState e : endpointList) {
      changed |= e.refreshWeight(config.loadBalancing().slowStart(), now);
      ramping |= e.inSlowStart(config.loadBalancing().slowStart(), now);
    }
    if (changed) {
      rebuildBalancers();
    }
    return ramping;
  }

  void close() {
    if (outlierTimer != null) {
      outlierTimer.cancel();
      outlierTimer = null;
    }
  }

  OutlierDetector outlierDetector() {
    return outlierDetector;
  }

  /**
   * A balancer over a set of this cluster's endpoints, with what is needed to explain an empty
   * pick.
   */
  static final class Balanced {
    final String subsetName;
    final Subset subset;
    private final ClusterBalancer balancer;
    private volatile List<EndpointState> members = List.of();

    Balanced(String subsetName, Subset subset, ClusterBalancer balancer) {
      this.subsetName = subsetName;
      this.subset = subset;
      this.balancer = balancer;
    }

    void update(List<EndpointState> newMembers) {
      members = List.copyOf(newMembers);
      balancer.update(members, e -> ((EndpointState) e).usable());
    }

    /** Picks an endpoint, or null when there is none. Lock-free. */
    EndpointState pick(PickContext context) {
      LbEndpoint picked = balancer.pick(context);
      return (EndpointState) picked;
    }

    ClusterBalancer balancer() {
      return balancer;
    }

    List<EndpointState> members() {
      return members;
    }

    /** Why {@link #pick} found nothing. */
    MeshException noEndpoint(String cluster) {
      String where =
          subsetName.isEmpty()
              ? "cluster '" + cluster + "'"
              : "subset '" + subsetName + "' of cluster '" + cluster + "'";
      List<EndpointState> m = members;
      if (m.isEmpty()) {
        return new MeshException(
            MeshException.Reason.NO_ENDPOINTS,
            "no endpoints in "
                + where
                + (subset != null
                    ? " (no endpoint carries the labels " + subset.labels() + ")"
                    : ""));
      }
      long ejected = m.stream().filter(EndpointState::ejected).count();
      if (ejected == m.size()) {
        return new MeshException(
            MeshException.Reason.ALL_EJECTED,
            "all " + m.size() + " endpoints of " + where + " are ejected by outlier detection");
      }
      return new MeshException(
          MeshException.Reason.ALL_UNHEALTHY,
          "none of the "
              + m.size()
              + " endpoints of "
              + where
              + " is healthy ("
              + ejected
              + " ejected, the rest reported unhealthy or draining by the config source)");
    }
  }

  @Override
  public String toString() {
    return "cluster " + name + " " + Objects.toString(endpointList);
  }
}
