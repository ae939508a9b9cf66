package dev.weft.mesh.api.internal;

import dev.weft.mesh.api.config.ConfigViolation;
import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.security.MatchPattern;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Collects the violations of one model record under construction, then throws them all at once.
 * Internal: for mesh-api's records only.
 */
public final class Checks {
  private List<ConfigViolation> violations;

  public void require(boolean condition, String path, String message, Object... args) {
    if (!condition) {
      add(path, args.length == 0 ? message : String.format(message, args));
    }
  }

  public void add(String path, String message) {
    if (violations == null) {
      violations = new ArrayList<>(2);
    }
    violations.add(ConfigViolation.of(path, message));
  }

  public void addAll(String prefix, List<ConfigViolation> nested) {
    for (ConfigViolation v : nested) {
      if (violations == null) {
        violations = new ArrayList<>(nested.size());
      }
      violations.add(v.under(prefix));
    }
  }

  public boolean notNull(Object value, String path) {
    require(value != null, path, "is required");
    return value != null;
  }

  public void name(String value, String path) {
    if (notNull(value, path)) {
      require(!value.isBlank(), path, "must not be blank");
      require(
          value.chars().noneMatch(Character::isWhitespace),
          path,
          "must not contain white space, was '%s'",
          value);
    }
  }

  public void nonNegative(Duration d, String path) {
    if (notNull(d, path)) {
      require(!d.isNegative(), path, "must not be negative, was %s", d);
    }
  }

  public void positive(Duration d, String path) {
    if (notNull(d, path)) {
      require(!d.isNegative() && !d.isZero(), path, "must be positive, was %s", d);
    }
  }

  public void percent(double value, String path) {
    require(
        value >= 0 && value <= 100 && !Double.isNaN(value),
        path,
        "must be a percentage from 0 to 100, was %s",
        value);
  }

  public void regex(String regex, String path) {
    try {
      Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      add(
          path,
          "is not a valid regular expression: "
              + e.getDescription()
              + " near index "
              + e.getIndex());
    }
  }

  public <T> void unique(List<T> items, Function<T, String> key, String listPath, String what) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      T item = items.get(i);
      if (item != null && !seen.add(key.apply(item))) {
        add(listPath + "[" + i + "]", "duplicate " + what + " '" + key.apply(item) + "'");
      }
    }
  }

  /** Checks match patterns ({@link MatchPattern}): none null, empty or malformed. */
  public void patterns(List<String> patterns, String path) {
    for (int i = 0; i < patterns.size(); i++) {
      String problem = MatchPattern.problem(patterns.get(i));
      if (problem != null) {
        add(path + "[" + i + "]", problem);
      }
    }
  }

  /** Reports each null element of {@code items} at {@code path[i]}. */
  public void elementsNotNull(List<?> items, String path) {
    elementsNotNull(this, items, path);
  }

  public void throwIfAny() {
    if (violations != null) {
      throw new InvalidConfigException(violations);
    }
  }

  public static <T> List<T> list(Collection<T> values) {
    return values == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(values));
  }

  /** Like {@link List#copyOf} but tolerating nulls so they can be reported as violations. */
  public static <T> List<T> listAllowingNulls(Collection<T> values) {
    return values == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(values));
  }

  public static <K, V> Map<K, V> map(Map<K, V> values) {
    return values == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  public static <T> void elementsNotNull(Checks c, List<T> items, String path) {
    for (int i = 0; i < items.size(); i++) {
      c.require(items.get(i) != null, path + "[" + i + "]", "must not be null");
    }
  }

  private Checks() {}

  public static Checks start() {
    return new Checks();
  }
}
