package dev.weft.samples.bookinfo;

import dev.weft.mesh.security.PeerIdentity;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counts the calls a service has answered by the caller's verified identity. */
final class Callers {
  /** The key for calls without a verified identity (plaintext). */
  static final String NONE = "(no identity)";

  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  void record(Optional<PeerIdentity> caller) {
    String key = caller.map(c -> c.spiffeId().toString()).orElse(NONE);
    counts.computeIfAbsent(key, k -> new LongAdder()).increment();
  }

  /** Calls by caller so far, sorted by caller. */
  Map<String, Long> snapshot() {
    Map<String, Long> copy = new TreeMap<>();
    counts.forEach((caller, n) -> copy.put(caller, n.sum()));
    return copy;
  }
}
