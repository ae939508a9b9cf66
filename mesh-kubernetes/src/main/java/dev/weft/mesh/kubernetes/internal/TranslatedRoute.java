package dev.weft.mesh.kubernetes.internal;

import dev.weft.mesh.api.config.Route;
import java.util.Comparator;
import java.util.List;

/**
 * One HTTPRoute or GRPCRoute translated into mesh routes, ready to be ordered with the others that
 * name the same Service.
 *
 * @param kind {@code HTTPRoute} or {@code GRPCRoute}
 * @param namespace the route's namespace
 * @param name the route's name
 * @param resourceVersion the version translated
 * @param parents the Services ({@code namespace/name}) whose calls the route takes
 * @param entries one per rule and match
 */
public record TranslatedRoute(
    String kind,
    String namespace,
    String name,
    String resourceVersion,
    List<String> parents,
    List<Entry> entries) {

  /** {@code kind/namespace/name}. */
  public String key() {
    return kind + "/" + namespace + "/" + name;
  }

  /**
   * One mesh route and where it sorts among the routes of its Service (the Gateway API's
   * precedence: exact paths, then regular expressions, then longer prefixes; a method match; more
   * header matches; then the older route, then the name, then the rule's order).
   */
  public record Entry(
      Route route,
      int pathRank,
      int pathLength,
      boolean hasMethod,
      int headerCount,
      long createdMillis,
      String routeKey,
      int ruleIndex,
      int matchIndex) {

    /** Most specific first. */
    public static final Comparator<Entry> PRECEDENCE =
        Comparator.comparingInt(Entry::pathRank)
            .reversed()
            .thenComparing(Comparator.comparingInt(Entry::pathLength).reversed())
            .thenComparing(Entry::hasMethod, Comparator.reverseOrder())
            .thenComparing(Comparator.comparingInt(Entry::headerCount).reversed())
            .thenComparingLong(Entry::createdMillis)
            .thenComparing(Entry::routeKey)
            .thenComparingInt(Entry::ruleIndex)
            .thenComparingInt(Entry::matchIndex);
  }
}
