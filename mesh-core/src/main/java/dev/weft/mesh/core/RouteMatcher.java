package dev.weft.mesh.core;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.weft.mesh.api.config.HeaderMatch;
import dev.weft.mesh.api.config.PathMatch;
import dev.weft.mesh.api.config.RouteMatch;
import dev.weft.mesh.core.spi.CallRequest;
import java.util.List;
import java.util.Locale;

/**
 * A {@link RouteMatch} compiled once when a snapshot is built: regular expressions are compiled,
 * case folding is prepared, method sets become arrays. Matching allocates nothing for exact, prefix
 * and header comparisons.
 */
final class RouteMatcher {
  private final PathMatch.Kind pathKind;
  private final String pathValue;
  private final boolean pathIgnoreCase;
  private final Pattern pathRegex;
  private final String[] methods;
  private final HeaderMatcher[] headers;

  /**
   * What keeps {@code regex} from being a route regex, or null. Route regexes run on every call
   * against caller-chosen paths and headers, so they are RE2 expressions (as Envoy's {@code
   * safe_regex} and grpc-java's xDS matchers are): matching takes time linear in the input, and a
   * configuration cannot make a request take exponential time. Backreferences and lookaround, which
   * RE2 lacks, are refused.
   */
  static String regexProblem(String regex) {
    try {
      Pattern.compile(regex);
      return null;
    } catch (PatternSyntaxException e) {
      return "is not an RE2 regular expression (route regexes match in linear time): "
          + e.getMessage();
    }
  }

  RouteMatcher(RouteMatch match) {
    PathMatch path = match.path();
    this.pathKind = path.kind();
    this.pathValue = path.value();
    this.pathIgnoreCase = path.ignoreCase();
    this.pathRegex = path.kind() == PathMatch.Kind.REGEX ? Pattern.compile(path.value()) : null;
    this.methods = match.methods().toArray(new String[0]);
    List<HeaderMatch> hs = match.headers();
    this.headers = new HeaderMatcher[hs.size()];
    for (int i = 0; i < hs.size(); i++) {
      headers[i] = new HeaderMatcher(hs.get(i));
    }
  }

  boolean matches(CallRequest request) {
    return matchesPath(request.path())
        && matchesMethod(request.method())
        && matchesHeaders(request);
  }

  private boolean matchesPath(String path) {
    switch (pathKind) {
      case EXACT:
        return pathIgnoreCase ? pathValue.equalsIgnoreCase(path) : pathValue.equals(path);
      case PREFIX:
        return path.regionMatches(pathIgnoreCase, 0, pathValue, 0, pathValue.length());
      default:
        return pathRegex.matcher(path).matches();
    }
  }

  private boolean matchesMethod(String method) {
    if (methods.length == 0) {
      return true;
    }
    for (String m : methods) {
      if (m.equals(method)) {
        return true;
      }
    }
    return false;
  }

  private boolean matchesHeaders(CallRequest request) {
    for (HeaderMatcher h : headers) {
      if (!h.matches(request)) {
        return false;
      }
    }
    return true;
  }

  /** One compiled header condition. */
  static final class HeaderMatcher {
    private final String name;
    private final HeaderMatch.Kind kind;
    private final String value;
    private final boolean ignoreCase;
    private final boolean invert;
    private final Pattern regex;
    private final long rangeStart;
    private final long rangeEnd;

    HeaderMatcher(HeaderMatch m) {
      this.name = m.name();
      this.kind = m.kind();
      this.ignoreCase = m.ignoreCase();
      this.value = ignoreCase ? m.value().toLowerCase(Locale.ROOT) : m.value();
      this.invert = m.invert();
      this.regex = m.kind() == HeaderMatch.Kind.REGEX ? Pattern.compile(m.value()) : null;
      this.rangeStart = m.rangeStart();
      this.rangeEnd = m.rangeEnd();
    }

    boolean matches(CallRequest request) {
      String actual = request.header(name);
      if (kind == HeaderMatch.Kind.PRESENT) {
        return (actual != null) != invert;
      }
      if (actual == null) {
        // Envoy: an absent header never matches a value condition, inverted or not.
        return false;
      }
      return matchesValue(actual) != invert;
    }

    private boolean matchesValue(String actual) {
      switch (kind) {
        case EXACT:
          return ignoreCase ? value.equalsIgnoreCase(actual) : value.equals(actual);
        case PREFIX:
          return actual.regionMatches(ignoreCase, 0, value, 0, value.length());
        case SUFFIX:
          return actual.regionMatches(
              ignoreCase, actual.length() - value.length(), value, 0, value.length());
        case CONTAINS:
          return ignoreCase
              ? actual.toLowerCase(Locale.ROOT).contains(value)
              : actual.contains(value);
        case REGEX:
          return regex.matcher(actual).matches();
        case RANGE:
          return inRange(actual);
        default:
          throw new AssertionError(kind);
      }
    }

    private boolean inRange(String actual) {
      long parsed;
      try {
        parsed = Long.parseLong(actual.trim());
      } catch (NumberFormatException e) {
        return false;
      }
      return parsed >= rangeStart && parsed < rangeEnd;
    }
  }
}
