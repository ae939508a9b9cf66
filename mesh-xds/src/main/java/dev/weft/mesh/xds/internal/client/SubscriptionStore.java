package dev.weft.mesh.xds.internal.client;

import com.google.protobuf.Any;
import dev.weft.mesh.api.runtime.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What is subscribed and what is in force: per resource type (told apart by identity, never by
 * name) the watchers of each resource, its value, its does-not-exist timer (gRFC A27), and the
 * values seeded from the on-disk copy until the server confirms them.
 *
 * <p>Threading: work thread only; timers hop back onto it through {@code work}.
 */
final class SubscriptionStore {
  private static final Logger log = LoggerFactory.getLogger(SubscriptionStore.class);

  /**
   * Identity, because two types may share a URL in tests and a type's equals is its own business.
   */
  private final Map<XdsResourceType<?>, TypeState<?>> byType = new IdentityHashMap<>();

  /** In subscription order, for requests and status. */
  private final List<TypeState<?>> ordered = new ArrayList<>();

  /** Responses name their type by URL; this finds the subscribed type it stands for. */
  private final Map<String, TypeState<?>> byUrl = new HashMap<>();

  private final Map<String, ResourceCache.Stored> seeds;
  private final Scheduler scheduler;
  private final Executor work;
  private final Duration resourceTimeout;

  SubscriptionStore(
      Map<String, ResourceCache.Stored> seeds,
      Scheduler scheduler,
      Executor work,
      Duration resourceTimeout) {
    this.seeds = new HashMap<>(seeds);
    this.scheduler = scheduler;
    this.work = work;
    this.resourceTimeout = resourceTimeout;
  }

  Collection<TypeState<?>> types() {
    return ordered;
  }

  /** The state of the subscribed type whose URL a response names, or null when none is. */
  TypeState<?> forUrl(String typeUrl) {
    return byUrl.get(typeUrl);
  }

  /**
   * Adds {@code watcher} and tells it what is known. Returns true when {@code name} was not
   * subscribed before, so the server must be told.
   */
  <T> boolean watch(XdsResourceType<T> type, String name, ResourceWatcher<T> watcher) {
    TypeState<T> ts = typeState(type);
    Subscription<T> sub = ts.subs.get(name);
    boolean added = sub == null;
    if (added) {
      sub = new Subscription<>(name);
      ts.subs.put(name, sub);
      T seeded = ts.seed.remove(name);
      if (seeded != null) {
        sub.value = seeded;
        sub.fromCache = true;
        ts.rawInForce.put(name, ts.seedRaw.remove(name));
      }
    }
    sub.watchers.add(watcher);
    sub.replayTo(watcher);
    return added;
  }

  /**
   * Removes {@code watcher}. Returns true when it was the last one and {@code name} is no longer
   * subscribed.
   */
  <T> boolean cancelWatch(XdsResourceType<T> type, String name, ResourceWatcher<T> watcher) {
    @SuppressWarnings("unchecked")
    TypeState<T> ts = (TypeState<T>) byType.get(type);
    Subscription<T> sub = ts == null ? null : ts.subs.get(name);
    if (sub == null) {
      return false;
    }
    sub.watchers.remove(watcher);
    if (!sub.watchers.isEmpty()) {
      return false;
    }
    sub.cancelTimer();
    ts.subs.remove(name);
    ts.rawInForce.remove(name);
    ts.resourceVersions.remove(name);
    return true;
  }

  @SuppressWarnings("unchecked")
  <T> TypeState<T> typeState(XdsResourceType<T> type) {
    TypeState<T> ts = (TypeState<T>) byType.get(type);
    if (ts != null) {
      return ts;
    }
    ts = new TypeState<>(type);
    byType.put(type, ts);
    ordered.add(ts);
    byUrl.putIfAbsent(type.typeUrl(), ts);
    ResourceCache.Stored stored = seeds.remove(type.typeUrl());
    if (stored != null) {
      seed(ts, stored);
    }
    return ts;
  }

  private static <T> void seed(TypeState<T> ts, ResourceCache.Stored stored) {
    for (Any any : stored.resources()) {
      XdsResourceType.Parsed<T> p = ts.type.parse(any);
      if (p.isValid()) {
        ts.seed.put(p.name(), p.value());
        ts.seedRaw.put(p.name(), any);
      } else {
        log.warn("ignoring cached {} '{}': {}", ts.type.shortName(), p.name(), p.error());
      }
    }
  }

  /**
   * Starts the does-not-exist timer of every awaited resource of the type that has none. A timer
   * that fires once {@code stream} is no longer the current one does nothing: the new stream has
   * timers of its own.
   */
  <T> void startTimers(
      TypeState<T> ts, AdsStream stream, Predicate<AdsStream> isCurrent, Runnable onChange) {
    for (Subscription<T> sub : ts.subs.values()) {
      if (sub.awaited() && sub.timer == null) {
        sub.timer =
            scheduler.schedule(
                () ->
                    work.execute(
                        () -> {
                          sub.timer = null;
                          if (!isCurrent.test(stream)
                              || ts.subs.get(sub.name) != sub
                              || !sub.awaited()) {
                            return;
                          }
                          log.info(
                              "{} '{}' was not sent within {}; it does not exist",
                              ts.type.shortName(),
                              sub.name,
                              resourceTimeout);
                          sub.markDoesNotExist();
                          onChange.run();
                        }),
                resourceTimeout.toNanos());
      }
    }
  }

  /**
   * A stream ended: its timers stop (the next stream starts its own), and every watcher hears why.
   */
  void streamLost(String error) {
    for (TypeState<?> ts : ordered) {
      ts.subs.values().forEach(Subscription::cancelTimer);
    }
    for (TypeState<?> ts : ordered) {
      for (Subscription<?> sub : new ArrayList<>(ts.subs.values())) {
        sub.transientError(error);
      }
    }
  }

  void cancelTimers() {
    for (TypeState<?> ts : ordered) {
      ts.subs.values().forEach(Subscription::cancelTimer);
    }
  }

  /**
   * Per type, in subscription order; {@code nonce} gives the current stream's last nonce of a type.
   */
  List<XdsClientStatus.TypeStatus> status(Function<XdsResourceType<?>, String> nonce) {
    List<XdsClientStatus.TypeStatus> list = new ArrayList<>();
    for (TypeState<?> ts : ordered) {
      boolean fromCache = ts.subs.values().stream().anyMatch(s -> s.fromCache);
      list.add(
          new XdsClientStatus.TypeStatus(
              ts.type,
              ts.version,
              nonce.apply(ts.type),
              new ArrayList<>(ts.names()),
              ts.accepted,
              ts.rejected,
              ts.lastError,
              fromCache));
    }
    return list;
  }
}
