package dev.weft.mesh.core;

import dev.weft.mesh.api.runtime.RandomSource;
import dev.weft.mesh.api.runtime.Scheduler;
import dev.weft.mesh.api.runtime.Ticker;
import dev.weft.mesh.core.spi.RouteDestination;
import java.util.List;

/** What cluster states and calls use of the engine that owns them. */
interface EngineContext {
  Ticker ticker();

  RandomSource random();

  Scheduler scheduler();

  LoadBalancerRegistry loadBalancers();

  long ewmaDecayNanos();

  Telemetry telemetry();

  /** Tells the call observers that an attempt to {@code destination} ended; never throws. */
  void attemptEnded(RouteDestination destination, boolean success, long latencyNanos);

  /** Tells the call observers that a call to {@code destination} ended; never throws. */
  void callEnded(RouteDestination destination, boolean success, long elapsedNanos, int attempts);

  /** An attempt to {@code endpoint} of {@code cluster} could not connect; on the call path. */
  void connectFailed(String cluster, dev.weft.mesh.api.config.Endpoint endpoint);

  /** Runs {@code task} on the control path, serially with configuration updates. */
  void control(Runnable task);

  /** The set of ejected endpoints of a cluster changed (called from any thread). */
  void onEjectionChange(ClusterState cluster);

  /** Endpoints left a cluster (on the control path). */
  void onEndpointsRemoved(ClusterState cluster, List<EndpointState> removed);
}
