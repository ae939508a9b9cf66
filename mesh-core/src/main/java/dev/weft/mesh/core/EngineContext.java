package dev.weft.mesh.core;

import dev.weft.mesh.api.runtime.RandomSource;
import dev.weft.mesh.api.runtime.Scheduler;
import dev.weft.mesh.api.runtime.Ticker;
import java.util.List;

/** What cluster states and calls use of the engine that owns them. */
interface EngineContext {
  Ticker ticker();

  RandomSource random();

  Scheduler scheduler();

  LoadBalancerRegistry loadBalancers();

  long ewmaDecayNanos();

  Telemetry telemetry();

  /** Runs {@code task} on the control path, serially with configuration updates. */
  void control(Runnable task);

  /** The set of ejected endpoints of a cluster changed (called from any thread). */
  void onEjectionChange(ClusterState cluster);

  /** Endpoints left a cluster (on the control path). */
  void onEndpointsRemoved(ClusterState cluster, List<EndpointState> removed);
}
