package dev.weft.mesh.core.internal.lb;

import dev.weft.mesh.api.config.ConfigViolation;
import dev.weft.mesh.api.config.InvalidConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a policy's {@code options} map: typed lookups that record a violation (with the path {@code
 * options.<key>}) instead of throwing at the first problem, and a final check for keys the policy
 * does not know. Used once per configuration load, never on the call path.
 */
final class Options {
  static final String PREFIX = "options.";

  /** The parsed options of a policy that takes none. */
  static final Object NONE =
      new Object() {
        @Override
        public String toString() {
          return "{}";
        }
      };

  private final String policy;
  private final Map<String, Object> values;
  private final Set<String> known = new TreeSet<>();
  private final List<ConfigViolation> violations = new ArrayList<>(2);

  private Options(String policy, Map<String, Object> values) {
    this.policy = policy;
    this.values = values == null ? Map.of() : values;
  }

  static Options of(String policy, Map<String, Object> values) {
    return new Options(policy, values);
  }

  /**
   * An integer option: a whole number (any {@link Number} type without a fraction, as YAML and xDS
   * {@code Struct} values arrive) or a string holding one, within {@code [min, max]}.
   */
  int intValue(String key, int defaultValue, int min, int max) {
    known.add(key);
    Object raw = values.get(key);
    if (raw == null) {
      if (values.containsKey(key)) {
        violation(key, "must not be null");
      }
      return defaultValue;
    }
    long parsed;
    if (raw instanceof Byte
        || raw instanceof Short
        || raw instanceof Integer
        || raw instanceof Long) {
      parsed = ((Number) raw).longValue();
    } else if (raw instanceof Number n) {
      double d = n.doubleValue();
      if (d != Math.rint(d) || Double.isInfinite(d) || Math.abs(d) > Long.MAX_VALUE / 2.0) {
        violation(key, "must be a whole number, was " + raw);
        return defaultValue;
      }
      parsed = (long) d;
    } else if (raw instanceof String s) {
      try {
        parsed = Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        violation(key, "must be a whole number, was '" + s + "'");
        return defaultValue;
      }
    } else {
      violation(key, "must be a whole number, was " + raw.getClass().getSimpleName() + " " + raw);
      return defaultValue;
    }
    if (parsed < min || parsed > max) {
      violation(key, "must be from " + min + " to " + max + ", was " + parsed);
      return defaultValue;
    }
    return (int) parsed;
  }

  /** Records a problem with an option that the typed lookups cannot express. */
  void violation(String key, String message) {
    violations.add(ConfigViolation.of(PREFIX + key, message));
  }

  /** Throws every problem found, including keys that no lookup asked for. */
  void throwIfInvalid() {
    for (String key : values.keySet()) {
      if (key == null) {
        violations.add(ConfigViolation.of("options", "option names must not be null"));
      } else if (!known.contains(key)) {
        violations.add(ConfigViolation.of(PREFIX + key, unknownMessage()));
      }
    }
    if (!violations.isEmpty()) {
      throw new InvalidConfigException(violations);
    }
  }

  private String unknownMessage() {
    return known.isEmpty()
        ? "unknown option: policy '" + policy + "' takes no options"
        : "unknown option for policy '" + policy + "'; known options: " + String.join(", ", known);
  }
}
