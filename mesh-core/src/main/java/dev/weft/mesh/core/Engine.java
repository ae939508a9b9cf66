package dev.weft.mesh.core;

import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.runtime.RandomSource;
import dev.weft.mesh.api.runtime.Scheduler;
import dev.weft.mesh.api.runtime.Ticker;
import dev.weft.mesh.core.spi.CallObserver;
import dev.weft.mesh.core.spi.ConnectFailureListener;
import dev.weft.mesh.core.spi.RouteDestination;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine behind a {@link Mesh}: its shared services as cluster states and calls see them, the
 * control path's lock, the endpoint-removal listeners, and the periodic housekeeping.
 */
final class Engine implements EngineContext {
  private static final Logger log = LoggerFactory.getLogger(Mesh.class);

  final Ticker ticker;
  final RandomSource random;
  final Scheduler scheduler;
  final LoadBalancerRegistry loadBalancers;
  final long ewmaDecayNanos;
  final Telemetry telemetry;

  /** Serializes the control path: configuration updates, housekeeping, rebuilds and close. */
  final Object controlLock = new Object();

  final AtomicBoolean closed = new AtomicBoolean();

  /** Replaced whole (copy on write) under the control lock; read once per call end. */
  private volatile CallObserver[] observers = NO_OBSERVERS;

  private static final CallObserver[] NO_OBSERVERS = new CallObserver[0];

  /** Replaced whole (copy on write) under the control lock; read once per connect failure. */
  private volatile ConnectFailureListener[] connectFailureListeners = NO_CONNECT_LISTENERS;

  private static final ConnectFailureListener[] NO_CONNECT_LISTENERS =
      new ConnectFailureListener[0];
  final List<Consumer<List<Mesh.EndpointRemoval>>> removalListeners = new CopyOnWriteArrayList<>();

  Engine(
      Ticker ticker,
      RandomSource random,
      Scheduler scheduler,
      LoadBalancerRegistry loadBalancers,
      long ewmaDecayNanos,
      Telemetry telemetry) {
    this.ticker = ticker;
    this.random = random;
    this.scheduler = scheduler;
    this.loadBalancers = loadBalancers;
    this.ewmaDecayNanos = ewmaDecayNanos;
    this.telemetry = telemetry;
  }

  @Override
  public Ticker ticker() {
    return ticker;
  }

  @Override
  public RandomSource random() {
    return random;
  }

  @Override
  public Scheduler scheduler() {
    return scheduler;
  }

  @Override
  public LoadBalancerRegistry loadBalancers() {
    return loadBalancers;
  }

  @Override
  public long ewmaDecayNanos() {
    return ewmaDecayNanos;
  }

  @Override
  public Telemetry telemetry() {
    return telemetry;
  }

  void addObserver(CallObserver observer) {
    synchronized (controlLock) {
      CallObserver[] next = Arrays.copyOf(observers, observers.length + 1);
      next[observers.length] = observer;
      observers = next;
    }
  }

  void removeObserver(CallObserver observer) {
    synchronized (controlLock) {
      List<CallObserver> next = new ArrayList<>(Arrays.asList(observers));
      if (next.remove(observer)) {
        observers = next.toArray(NO_OBSERVERS);
      }
    }
  }

  void addConnectFailureListener(ConnectFailureListener listener) {
    synchronized (controlLock) {
      ConnectFailureListener[] current = connectFailureListeners;
      ConnectFailureListener[] next = Arrays.copyOf(current, current.length + 1);
      next[current.length] = listener;
      connectFailureListeners = next;
    }
  }

  void removeConnectFailureListener(ConnectFailureListener listener) {
    synchronized (controlLock) {
      List<ConnectFailureListener> next = new ArrayList<>(Arrays.asList(connectFailureListeners));
      if (next.remove(listener)) {
        connectFailureListeners = next.toArray(NO_CONNECT_LISTENERS);
      }
    }
  }

  @Override
  public void connectFailed(String cluster, Endpoint endpoint) {
    for (ConnectFailureListener l : connectFailureListeners) {
      try {
        l.connectFailed(cluster, endpoint);
      } catch (RuntimeException e) {
        observerFailed(e);
      }
    }
  }

  @Override
  public void attemptEnded(RouteDestination destination, boolean success, long latencyNanos) {
    CallObserver[] os = observers;
    if (os.length == 0 || destination == null) {
      return;
    }
    for (CallObserver o : os) {
      try {
        o.attemptEnded(destination, success, latencyNanos);
      } catch (RuntimeException e) {
        observerFailed(e);
      }
    }
  }

  @Override
  public void callEnded(
      RouteDestination destination, boolean success, long elapsedNanos, int attempts) {
    CallObserver[] os = observers;
    if (os.length == 0 || destination == null) {
      return;
    }
    for (CallObserver o : os) {
      try {
        o.callEnded(destination, success, elapsedNanos, attempts);
      } catch (RuntimeException e) {
        observerFailed(e);
      }
    }
  }

  private void observerFailed(RuntimeException e) {
    if (observerWarned.compareAndSet(false, true)) {
      log.warn(
          "a call observer failed; calls go on unaffected and further observer failures are not logged",
          e);
    }
  }

  private final AtomicBoolean observerWarned = new AtomicBoolean();

  @Override
  public void control(Runnable task) {
    synchronized (controlLock) {
      if (!closed.get()) {
        task.run();
      }
    }
  }

  @Override
  public void onEjectionChange(ClusterState cluster) {
    scheduler.schedule(() -> control(cluster::rebuildBalancers), 0);
  }

  @Override
  public void onEndpointsRemoved(ClusterState cluster, List<EndpointState> removed) {
    notifyRemoved(cluster, removed);
  }

  /** Tells the removal listeners that {@code removed} left {@code cluster}. */
  void notifyRemoved(ClusterState cluster, List<EndpointState> removed) {
    if (removalListeners.isEmpty() || removed.isEmpty()) {
      return;
    }
    List<Mesh.EndpointRemoval> events = new ArrayList<>(removed.size());
    for (EndpointState e : removed) {
      events.add(new Mesh.EndpointRemoval(cluster.name(), e.endpoint()));
    }
    for (Consumer<List<Mesh.EndpointRemoval>> l : removalListeners) {
      try {
        l.accept(events);
      } catch (RuntimeException ex) {
        log.warn("an endpoint-removal listener failed", ex);
      }
    }
  }

  /** The periodic work on {@code s}: hedging's latency percentiles, and slow start's weights. */
  void housekeep(MeshSnapshot s) {
    if (s == null) {
      return;
    }
    for (ServiceRouter router : s.routers.values()) {
      for (CompiledRoute r : router.routes) {
        if (r.latency != null) {
          r.latency.refresh();
        }
      }
    }
    synchronized (controlLock) {
      for (ClusterState c : s.clusters.values()) {
        if (c.config().loadBalancing().slowStart().enabled()) {
          c.refreshSlowStart();
        }
      }
    }
  }
}
