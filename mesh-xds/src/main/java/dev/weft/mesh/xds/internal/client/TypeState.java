package dev.weft.mesh.xds.internal.client;

import com.google.protobuf.Any;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/** The subscriptions of one resource type and what was accepted for it. Work thread only. */
final class TypeState<T> {
  final XdsResourceType<T> type;
  final Map<String, Subscription<T>> subs = new LinkedHashMap<>();

  /** The resources in force as received, for the on-disk copy. */
  final Map<String, Any> rawInForce = new LinkedHashMap<>();

  /** Values read from the on-disk copy, waiting for a watch of their name. */
  final Map<String, T> seed = new HashMap<>();

  final Map<String, Any> seedRaw = new HashMap<>();

  /**
   * The per-resource versions in hand (incremental ADS names them on a new stream; empty
   * otherwise).
   */
  final Map<String, String> resourceVersions = new HashMap<>();

  String version = "";
  long accepted;
  long rejected;
  String lastError = "";
  String lastRejectedVersion = "";

  TypeState(XdsResourceType<T> type) {
    this.type = type;
  }

  /** The subscribed names, sorted, as requests carry them. */
  SortedSet<String> names() {
    return new TreeSet<>(subs.keySet());
  }
}
