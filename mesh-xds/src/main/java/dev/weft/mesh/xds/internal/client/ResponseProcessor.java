package dev.weft.mesh.xds.internal.client;

import com.google.protobuf.Any;
import dev.weft.mesh.api.runtime.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts or rejects one response as a whole: parses every resource, lets the {@link UpdateGate}
 * check the state it would leave, then either commits it (ACK, watchers, on-disk copy) or keeps
 * what is in force (NACK with an error_detail naming every invalid resource).
 *
 * <p>Threading: work thread only.
 */
final class ResponseProcessor {
  private static final Logger log = LoggerFactory.getLogger(ResponseProcessor.class);
  private static final Duration REPEATED_NACK_DELAY = Duration.ofSeconds(1);

  private final UpdateGate gate;
  private final ResourceCache cache;
  private final XdsClient.Events events;
  private final Scheduler scheduler;
  private final Executor work;
  private final Predicate<AdsStream> isCurrent;

  ResponseProcessor(
      UpdateGate gate,
      ResourceCache cache,
      XdsClient.Events events,
      Scheduler scheduler,
      Executor work,
      Predicate<AdsStream> isCurrent) {
    this.gate = gate;
    this.cache = cache;
    this.events = events;
    this.scheduler = scheduler;
    this.work = work;
    this.isCurrent = isCurrent;
  }

  /**
   * @param keepDeleted the server's ignore_resource_deletion (gRFC A53): a listener or cluster the
   *     server drops stays in force
   */
  <T> void process(TypeState<T> ts, AdsResponse response, AdsStream stream, boolean keepDeleted) {
    XdsResourceType<T> type = ts.type;
    Map<String, T> valid = new LinkedHashMap<>();
    Map<String, Any> raw = new LinkedHashMap<>();
    List<String> errors = new ArrayList<>();
    List<String> invalidNames = new ArrayList<>();
    List<Any> resources = response.resources();
    for (int i = 0; i < resources.size(); i++) {
      Any any = resources.get(i);
      if (!any.getTypeUrl().equals(type.typeUrl())) {
        errors.add(
            type.shortName() + " response resource[" + i + "]: has type " + any.getTypeUrl());
        continue;
      }
      XdsResourceType.Parsed<T> parsed;
      try {
        parsed = type.parse(any);
      } catch (RuntimeException e) {
        parsed = XdsResourceType.Parsed.invalid("", "cannot be parsed: " + e);
      }
      String name = parsed.name().isEmpty() ? "resource[" + i + "]" : parsed.name();
      if (!parsed.isValid()) {
        errors.add(type.shortName() + " '" + name + "': " + parsed.error());
        invalidNames.add(name);
      } else if (valid.containsKey(name)) {
        errors.add(type.shortName() + " '" + name + "': appears more than once in the response");
        invalidNames.add(name);
      } else if (ts.subs.containsKey(name)) {
        valid.put(name, parsed.value());
        raw.put(name, any);
      }
    }
    if (!errors.isEmpty()) {
      nack(ts, response.version(), String.join("; ", errors), invalidNames, stream);
      return;
    }
    Set<String> removed = removed(ts, response, valid.keySet());
    Map<String, T> newState = new LinkedHashMap<>();
    Map<String, Any> newRaw = new LinkedHashMap<>();
    for (Subscription<T> sub : ts.subs.values()) {
      String name = sub.name;
      if (valid.containsKey(name)) {
        newState.put(name, valid.get(name));
        newRaw.put(name, raw.get(name));
      } else if (sub.value != null
          && (!removed.contains(name) || (keepDeleted && type.allResourcesRequired()))) {
        if (removed.contains(name)) {
          log.warn(
              "{} '{}' was removed by the server; keeping it (ignore_resource_deletion)",
              type.shortName(),
              name);
        }
        newState.put(name, sub.value);
        newRaw.put(name, ts.rawInForce.get(name));
      }
    }
    try {
      gate.check(type, response.version(), new LinkedHashMap<>(newState));
    } catch (UpdateGate.UpdateRejectedException e) {
      nack(ts, response.version(), e.getMessage(), List.of(), stream);
      return;
    } catch (RuntimeException e) {
      log.warn("the update gate failed on a {} response", type.shortName(), e);
      nack(
          ts,
          response.version(),
          type.shortName() + " response could not be applied: " + e,
          List.of(),
          stream);
      return;
    }
    commit(ts, response, valid.keySet(), newState, newRaw, removed, stream);
  }

  /**
   * The subscribed names the response says are gone: those the server removed, or, in a complete
   * response of a type that requires all resources, those missing from it.
   */
  private static Set<String> removed(TypeState<?> ts, AdsResponse response, Set<String> present) {
    if (!response.complete()) {
      return response.removed();
    }
    if (!ts.type.allResourcesRequired()) {
      return Set.of();
    }
    Set<String> missing = new java.util.HashSet<>(ts.subs.keySet());
    missing.removeAll(present);
    return missing;
  }

  private <T> void commit(
      TypeState<T> ts,
      AdsResponse response,
      Set<String> received,
      Map<String, T> newState,
      Map<String, Any> newRaw,
      Set<String> removed,
      AdsStream stream) {
    ts.version = response.version();
    for (String name : received) {
      ts.resourceVersions.put(name, response.resourceVersions().getOrDefault(name, ""));
    }
    ts.resourceVersions.keySet().retainAll(newState.keySet());
    ts.lastRejectedVersion = "";
    ts.accepted++;
    ts.rawInForce.clear();
    ts.rawInForce.putAll(newRaw);
    stream.ack(ts);
    events.onUpdate(ts.type, true, "");
    cache.store(ts.type.typeUrl(), ts.version, new ArrayList<>(newRaw.values()));
    for (Subscription<T> sub : new ArrayList<>(ts.subs.values())) {
      if (ts.subs.get(sub.name) != sub) {
        continue; // a watcher called before unsubscribed it
      }
      T value = newState.get(sub.name);
      if (value != null) {
        sub.update(value);
      } else if (removed.contains(sub.name) && !sub.doesNotExist) {
        sub.markDoesNotExist();
      }
    }
  }

  private <T> void nack(
      TypeState<T> ts,
      String responseVersion,
      String error,
      List<String> invalidNames,
      AdsStream stream) {
    ts.rejected++;
    ts.lastError = error;
    boolean repeated = responseVersion.equals(ts.lastRejectedVersion);
    ts.lastRejectedVersion = responseVersion;
    if (repeated) {
      // Some servers answer a NACK by sending the same version again; pace the exchange instead of
      // spinning.
      scheduler.schedule(
          () ->
              work.execute(
                  () -> {
                    if (isCurrent.test(stream)) {
                      stream.nack(ts, ts.lastError);
                    }
                  }),
          REPEATED_NACK_DELAY.toNanos());
    } else {
      log.warn(
          "NACK of {} version {}: {}; version {} stays in force",
          ts.type.shortName(),
          responseVersion,
          error,
          ts.version.isEmpty() ? "(none)" : ts.version);
      stream.nack(ts, error);
    }
    events.onUpdate(ts.type, false, error);
    for (String name : invalidNames) {
      Subscription<T> sub = ts.subs.get(name);
      if (sub != null) {
        sub.transientError(error);
      }
    }
  }
}
