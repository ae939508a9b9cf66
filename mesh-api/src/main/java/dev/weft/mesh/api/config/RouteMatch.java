package dev.weft.mesh.api.config;

import dev.weft.mesh.api.internal.Checks;
import java.util.List;
import java.util.Locale;

/**
 * What a request must look like for a route to take it. All conditions must hold.
 *
 * @param path the path condition
 * @param methods HTTP methods accepted (upper case); empty accepts every method. gRPC calls have
 *     the method {@code POST}.
 * @param headers header conditions, all of which must hold
 */
public record RouteMatch(PathMatch path, List<String> methods, List<HeaderMatch> headers) {
  /** Matches every request. */
  public static final RouteMatch ANY = new RouteMatch(PathMatch.ANY, List.of(), List.of());

  public RouteMatch {
    methods =
        methods == null
            ? List.of()
            : methods.stream().map(m -> m == null ? null : m.toUpperCase(Locale.ROOT)).toList();
    headers = Checks.listAllowingNulls(headers);
    Checks c = Checks.start();
    c.notNull(path, "path");
    for (int i = 0; i < methods.size(); i++) {
      String m = methods.get(i);
      c.require(
          m != null && m.matches("[A-Z]+"),
          "methods[" + i + "]",
          "must be an HTTP method name, was '%s'",
          m);
    }
    Checks.elementsNotNull(c, headers, "headers");
    c.throwIfAny();
  }

  public static RouteMatch path(PathMatch path) {
    return new RouteMatch(path, List.of(), List.of());
  }

  public RouteMatch withMethods(String... newMethods) {
    return new RouteMatch(path, List.of(newMethods), headers);
  }

  public RouteMatch withHeaders(HeaderMatch... newHeaders) {
    return new RouteMatch(path, methods, List.of(newHeaders));
  }
}
