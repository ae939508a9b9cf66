package dev.weft.mesh.security;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Read access to a request's headers (HTTP headers or gRPC metadata), so authorization needs no
 * protocol types. Implementations adapt the protocol's own header object without copying.
 */
@FunctionalInterface
public interface RequestHeaders {
  /** No headers. */
  RequestHeaders NONE = name -> List.of();

  /**
   * Every value of the header {@code name} (given in lower case; compare without regard to case),
   * in order; empty when absent. Never null.
   */
  List<String> values(String name);

  /** Headers from a map, with names compared without regard to case. */
  static RequestHeaders of(Map<String, List<String>> headers) {
    Map<String, List<String>> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((k, v) -> byName.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
    return name -> byName.getOrDefault(name, List.of());
  }
}
