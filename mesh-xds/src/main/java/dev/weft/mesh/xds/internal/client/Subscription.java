package dev.weft.mesh.xds.internal.client;

import dev.weft.mesh.api.runtime.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One subscribed resource: its watchers, the value in force and its does-not-exist timer. Work
 * thread only.
 */
final class Subscription<T> {
  final String name;
  final List<ResourceWatcher<T>> watchers = new ArrayList<>();
  T value;
  boolean doesNotExist;

  /** Whether the value came from the on-disk copy and the server has not confirmed it yet. */
  boolean fromCache;

  Scheduler.Cancellable timer;

  Subscription(String name) {
    this.name = name;
  }

  /** Tells a new watcher what is already known. */
  void replayTo(ResourceWatcher<T> watcher) {
    if (value != null) {
      watcher.onChanged(name, value);
    } else if (doesNotExist) {
      watcher.onDoesNotExist(name);
    }
  }

  /** Puts {@code newValue} in force; watchers hear of it only if it differs from what they have. */
  void update(T newValue) {
    cancelTimer();
    boolean changed = !Objects.equals(newValue, value) || doesNotExist;
    value = newValue;
    doesNotExist = false;
    fromCache = false;
    if (changed) {
      for (ResourceWatcher<T> w : List.copyOf(watchers)) {
        w.onChanged(name, newValue);
      }
    }
  }

  void markDoesNotExist() {
    cancelTimer();
    value = null;
    fromCache = false;
    doesNotExist = true;
    for (ResourceWatcher<T> w : List.copyOf(watchers)) {
      w.onDoesNotExist(name);
    }
  }

  void transientError(String error) {
    for (ResourceWatcher<T> w : List.copyOf(watchers)) {
      w.onTransientError(name, error);
    }
  }

  boolean awaited() {
    return value == null && !doesNotExist;
  }

  void cancelTimer() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }
}
