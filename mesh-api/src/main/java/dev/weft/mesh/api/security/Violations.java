package dev.weft.mesh.api.security;

import dev.weft.mesh.api.config.ConfigViolation;
import dev.weft.mesh.api.config.InvalidConfigException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/** Collects the violations of one authorization record under construction, then throws them together. */
final class Violations {
  private List<ConfigViolation> found;

  void add(String path, String message) {
    if (found == null) {
      found = new ArrayList<>(2);
    }
    found.add(ConfigViolation.of(path, message));
  }

  boolean notNull(Object value, String path) {
    if (value == null) {
      add(path, "is required");
    }
    return value != null;
  }

  void elementsNotNull(List<?> items, String path) {
    for (int i = 0; i < items.size(); i++) {
      if (items.get(i) == null) {
        add(path + "[" + i + "]", "must not be null");
      }
    }
  }

  /**
   * Checks Istio-style match strings: exact, {@code prefix*}, {@code *suffix}, or {@code *} alone.
   */
  void patterns(List<String> patterns, String path) {
    for (int i = 0; i < patterns.size(); i++) {
      String p = patterns.get(i);
      String at = path + "[" + i + "]";
      if (p == null) {
        add(at, "must not be null");
      } else if (p.isEmpty()) {
        add(at, "must not be empty");
      } else if (!p.equals("*")) {
        int star = p.indexOf('*');
        if (star >= 0 && (p.indexOf('*', star + 1) >= 0 || (star != 0 && star != p.length() - 1))) {
          add(at, "'" + p + "' may only have one '*', at the start (suffix match) or the end (prefix match)");
        }
      }
    }
  }

  void throwIfAny() {
    if (found != null) {
      throw new InvalidConfigException(found);
    }
  }

  static <T> List<T> list(Collection<T> values) {
    return values == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(values));
  }
}
