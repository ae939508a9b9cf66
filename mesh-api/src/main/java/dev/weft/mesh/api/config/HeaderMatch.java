package dev.weft.mesh.api.config;

import dev.weft.mesh.api.internal.Checks;
import java.util.Locale;

/**
 * How a route matches one request header (or gRPC metadata key). Header names are compared without
 * regard to case and stored in lower case.
 *
 * @param name the header name
 * @param kind how the header's value is compared
 * @param value the string to compare with (for {@code EXACT}, {@code PREFIX}, {@code SUFFIX},
 *     {@code CONTAINS} and {@code REGEX}); empty otherwise
 * @param rangeStart for {@code RANGE}: the least value that matches (inclusive)
 * @param rangeEnd for {@code RANGE}: the first value past the range (exclusive)
 * @param invert whether the result is negated (with {@code PRESENT}: the header must be absent)
 * @param ignoreCase whether the value compares without regard to case (string kinds other than
 *     {@code REGEX})
 */
public record HeaderMatch(
    String name,
    Kind kind,
    String value,
    long rangeStart,
    long rangeEnd,
    boolean invert,
    boolean ignoreCase) {

  public HeaderMatch {
    if (name != null) {
      name = name.toLowerCase(Locale.ROOT);
    }
    Checks c = Checks.start();
    c.name(name, "name");
    c.notNull(kind, "kind");
    if (c.notNull(value, "value") && kind != null) {
      switch (kind) {
        case EXACT, PREFIX, SUFFIX, CONTAINS -> {
          if (kind != Kind.EXACT) {
            c.require(
                !value.isEmpty(),
                "value",
                "must not be empty for a %s match",
                kind.name().toLowerCase(Locale.ROOT));
          }
        }
        case REGEX -> {
          c.regex(value, "value");
          c.require(
              !ignoreCase,
              "ignoreCase",
              "is not supported with a regex; use (?i) in the expression");
        }
        case PRESENT, RANGE ->
            c.require(
                value.isEmpty(),
                "value",
                "must be empty for a %s match",
                kind.name().toLowerCase(Locale.ROOT));
      }
      if (kind == Kind.RANGE) {
        c.require(
            rangeStart < rangeEnd,
            "rangeEnd",
            "must be greater than rangeStart (%d), was %d",
            rangeStart,
            rangeEnd);
      } else {
        c.require(rangeStart == 0 && rangeEnd == 0, "rangeStart", "is only for a range match");
      }
    }
    c.throwIfAny();
  }

  public static HeaderMatch exact(String name, String value) {
    return new HeaderMatch(name, Kind.EXACT, value, 0, 0, false, false);
  }

  public static HeaderMatch prefix(String name, String value) {
    return new HeaderMatch(name, Kind.PREFIX, value, 0, 0, false, false);
  }

  public static HeaderMatch suffix(String name, String value) {
    return new HeaderMatch(name, Kind.SUFFIX, value, 0, 0, false, false);
  }

  public static HeaderMatch contains(String name, String value) {
    return new HeaderMatch(name, Kind.CONTAINS, value, 0, 0, false, false);
  }

  public static HeaderMatch regex(String name, String regex) {
    return new HeaderMatch(name, Kind.REGEX, regex, 0, 0, false, false);
  }

  public static HeaderMatch present(String name) {
    return new HeaderMatch(name, Kind.PRESENT, "", 0, 0, false, false);
  }

  public static HeaderMatch absent(String name) {
    return new HeaderMatch(name, Kind.PRESENT, "", 0, 0, true, false);
  }

  /** Matches when the header's value is an integer in {@code [start, end)}. */
  public static HeaderMatch range(String name, long start, long end) {
    return new HeaderMatch(name, Kind.RANGE, "", start, end, false, false);
  }

  /** This match negated. */
  public HeaderMatch inverted() {
    return new HeaderMatch(name, kind, value, rangeStart, rangeEnd, !invert, ignoreCase);
  }

  /** This match comparing without regard to case. */
  public HeaderMatch ignoringCase() {
    return new HeaderMatch(name, kind, value, rangeStart, rangeEnd, invert, true);
  }

  /** A header comparison. */
  public enum Kind {
    EXACT,
    PREFIX,
    SUFFIX,
    CONTAINS,
    REGEX,
    PRESENT,
    RANGE
  }
}
