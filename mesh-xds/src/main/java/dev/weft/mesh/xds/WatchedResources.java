package dev.weft.mesh.xds;

import dev.weft.mesh.xds.XdsTranslator.Result;
import dev.weft.mesh.xds.XdsTranslator.State;
import dev.weft.mesh.xds.XdsValues.Endpoints;
import dev.weft.mesh.xds.XdsValues.Listener;
import dev.weft.mesh.xds.XdsValues.RouteConfig;
import dev.weft.mesh.xds.XdsValues.XdsCluster;
import dev.weft.mesh.xds.internal.client.ResourceWatcher;
import dev.weft.mesh.xds.internal.client.XdsClient;
import dev.weft.mesh.xds.internal.client.XdsResourceType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The resources an {@link XdsConfigSource} watches, as far as they are known (a value, or known not
 * to exist), and the watches that keep them: one per target listener, and one per route
 * configuration, cluster and endpoint assignment the translation refers to. Every change runs the
 * source's {@code onChange}.
 *
 * <p>Confined to the xDS client's work thread once the source started.
 */
final class WatchedResources {
  private final XdsResourceTypes types;
  private final Runnable onChange;

  private final Map<String, Optional<Listener>> listeners = new LinkedHashMap<>();
  private final Map<String, Optional<RouteConfig>> routes = new LinkedHashMap<>();
  private final Map<String, Optional<XdsCluster>> clusters = new LinkedHashMap<>();
  private final Map<String, Optional<Endpoints>> endpoints = new LinkedHashMap<>();
  private final Map<String, ResourceWatcher<RouteConfig>> routeWatchers = new HashMap<>();
  private final Map<String, ResourceWatcher<XdsCluster>> clusterWatchers = new HashMap<>();
  private final Map<String, ResourceWatcher<Endpoints>> endpointWatchers = new HashMap<>();

  WatchedResources(XdsResourceTypes types, Runnable onChange) {
    this.types = types;
    this.onChange = onChange;
  }

  /** Watches the listener {@code name} for as long as the client runs. */
  void watchListener(XdsClient client, String name) {
    client.watch(types.listeners, name, new Watcher<>(listeners, onChange));
  }

  /** The values in hand. */
  State state() {
    return new State(listeners, routes, clusters, endpoints);
  }

  /** The values as a response of {@code type} that holds {@code newState} would leave them. */
  State candidate(XdsResourceType<?> type, Map<String, Object> newState) {
    if (type == types.listeners) {
      return new State(candidate(listeners, newState), routes, clusters, endpoints);
    } else if (type == types.routes) {
      return new State(listeners, candidate(routes, newState), clusters, endpoints);
    } else if (type == types.clusters) {
      return new State(listeners, routes, candidate(clusters, newState), endpoints);
    } else {
      return new State(listeners, routes, clusters, candidate(endpoints, newState));
    }
  }

  /**
   * The type's values as the response would leave them: its resources, and what is known not to
   * exist.
   */
  @SuppressWarnings("unchecked")
  private static <T> Map<String, Optional<T>> candidate(
      Map<String, Optional<T>> current, Map<String, Object> state) {
    Map<String, Optional<T>> out = new LinkedHashMap<>();
    current.forEach(
        (k, v) -> {
          if (v.isEmpty() && !state.containsKey(k)) {
            out.put(k, v);
          }
        });
    state.forEach((k, v) -> out.put(k, Optional.of((T) v)));
    return out;
  }

  /** Subscribes to what {@code result} refers to and drops what it no longer does. */
  void syncWatches(XdsClient client, Result result) {
    syncWatches(client, result.routeNames(), routeWatchers, routes, types.routes);
    syncWatches(client, result.clusterNames(), clusterWatchers, clusters, types.clusters);
    syncWatches(client, result.edsNames(), endpointWatchers, endpoints, types.endpoints);
  }

  private <T> void syncWatches(
      XdsClient client,
      Set<String> wanted,
      Map<String, ResourceWatcher<T>> watchers,
      Map<String, Optional<T>> values,
      XdsResourceType<T> type) {
    for (String name : new ArrayList<>(watchers.keySet())) {
      if (!wanted.contains(name)) {
        client.cancelWatch(type, name, watchers.remove(name));
        values.remove(name);
      }
    }
    for (String name : new LinkedHashSet<>(wanted)) {
      if (!watchers.containsKey(name)) {
        Watcher<T> w = new Watcher<>(values, onChange);
        watchers.put(name, w);
        client.watch(type, name, w);
      }
    }
  }

  /** Records a type's values and runs {@code onChange}. */
  private static final class Watcher<T> implements ResourceWatcher<T> {
    private final Map<String, Optional<T>> values;
    private final Runnable onChange;

    Watcher(Map<String, Optional<T>> values, Runnable onChange) {
      this.values = values;
      this.onChange = onChange;
    }

    @Override
    public void onChanged(String name, T value) {
      values.put(name, Optional.of(value));
      onChange.run();
    }

    @Override
    public void onDoesNotExist(String name) {
      values.put(name, Optional.empty());
      onChange.run();
    }

    @Override
    public void onTransientError(String name, String error) {
      // The value in hand stays; connection-level errors reach the listener once, through the
      // source's Events.
    }
  }
}
