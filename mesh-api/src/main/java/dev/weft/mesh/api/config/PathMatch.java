package dev.weft.mesh.api.config;

import dev.weft.mesh.api.internal.Checks;

/**
 * How a route matches the request path. For gRPC the path is {@code /package.Service/Method}.
 *
 * @param kind how {@code value} is compared
 * @param value the path, prefix or regular expression (Java syntax, matched against the whole path)
 * @param ignoreCase whether letters compare without regard to case (not for {@code REGEX}; use
 *     {@code (?i)} there)
 */
public record PathMatch(Kind kind, String value, boolean ignoreCase) {
  /** Matches every path. */
  public static final PathMatch ANY = new PathMatch(Kind.PREFIX, "/", false);

  public PathMatch {
    Checks c = Checks.start();
    c.notNull(kind, "kind");
    if (c.notNull(value, "value") && kind != null) {
      switch (kind) {
        case EXACT, PREFIX ->
            c.require(value.startsWith("/"), "value", "must start with '/', was '%s'", value);
        case REGEX -> {
          c.regex(value, "value");
          c.require(
              !ignoreCase,
              "ignoreCase",
              "is not supported with a regex; use (?i) in the expression");
        }
      }
    }
    c.throwIfAny();
  }

  public static PathMatch exact(String path) {
    return new PathMatch(Kind.EXACT, path, false);
  }

  public static PathMatch prefix(String prefix) {
    return new PathMatch(Kind.PREFIX, prefix, false);
  }

  public static PathMatch regex(String regex) {
    return new PathMatch(Kind.REGEX, regex, false);
  }

  /** A path comparison. */
  public enum Kind {
    EXACT,
    PREFIX,
    REGEX
  }
}
