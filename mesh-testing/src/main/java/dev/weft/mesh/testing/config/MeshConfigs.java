package dev.weft.mesh.testing.config;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.api.security.AuthorizationPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Arbitrary valid {@link MeshConfig}s for properties: varied in every record of the model, with
 * strings that are awkward for YAML (looking like numbers, booleans, nulls, or full of indicators),
 * extreme numbers and durations, and routes whose destinations and mirrors name clusters and
 * subsets that exist.
 */
public final class MeshConfigs {

  /** Arbitrary valid clusters, with unique names; see {@link #meshConfigs()}. */
  public static Arbitrary<List<Cluster>> clusters() {
    return ClusterArbitraries.clusters();
  }

  public static Arbitrary<MeshConfig> meshConfigs() {
    Arbitrary<List<Function<List<Cluster>, Service>>> services =
        Combinators.combine(
                names().list().ofMaxSize(3).uniqueElements(),
                RouteArbitraries.service().list().ofSize(3))
            .as(
                (names, bodies) -> {
                  List<Function<List<Cluster>, Service>> result = new ArrayList<>();
                  for (int i = 0; i < names.size(); i++) {
                    String name = names.get(i);
                    Function<List<Cluster>, List<Route>> routes = bodies.get(i);
                    result.add(clusters -> new Service(name, routes.apply(clusters)));
                  }
                  return result;
                });
    return Combinators.combine(versions(), clusters(), services)
        .as(
            (version, clusters, s) ->
                new MeshConfig(
                    version,
                    clusters.isEmpty()
                        ? List.of()
                        : s.stream().map(f -> f.apply(clusters)).toList(),
                    clusters));
  }

  /** Arbitrary valid configurations that also carry authorization policies. */
  public static Arbitrary<MeshConfig> meshConfigsWithPolicies() {
    return Combinators.combine(
            meshConfigs(),
            authorizationPolicies().list().ofMaxSize(4).uniqueElements(AuthorizationPolicy::name))
        .as(
            (config, policies) ->
                new MeshConfig(config.version(), config.services(), config.clusters(), policies));
  }

  // ---- authorization policies

  public static Arbitrary<AuthorizationPolicy> authorizationPolicies() {
    return Combinators.combine(
            names(),
            names().list().ofMaxSize(3).uniqueElements(),
            Arbitraries.of(AuthorizationPolicy.Action.class),
            rules().list().ofMaxSize(3))
        .as(AuthorizationPolicy::new);
  }

  private static Arbitrary<AuthorizationPolicy.Rule> rules() {
    Arbitrary<AuthorizationPolicy.Source> sources =
        Combinators.combine(patternLists(), patternLists(), patternLists(), patternLists())
            .as(
                (a, b, c, d) ->
                    a.isEmpty() && b.isEmpty() && c.isEmpty() && d.isEmpty()
                        ? AuthorizationPolicy.Source.principals("*")
                        : new AuthorizationPolicy.Source(a, b, c, d));
    Arbitrary<AuthorizationPolicy.Operation> operations =
        Combinators.combine(patternLists(), patternLists(), patternLists(), patternLists())
            .as(
                (a, b, c, d) ->
                    a.isEmpty() && b.isEmpty() && c.isEmpty() && d.isEmpty()
                        ? AuthorizationPolicy.Operation.methods("GET")
                        : new AuthorizationPolicy.Operation(a, b, c, d));
    Arbitrary<String> keys =
        Arbitraries.oneOf(
            Arbitraries.of("source.principal", "source.namespace"),
            Arbitraries.strings()
                .withCharRange('a', 'z')
                .withChars('-')
                .ofMinLength(1)
                .ofMaxLength(10)
                .map(h -> "request.headers[" + h + "]"));
    Arbitrary<AuthorizationPolicy.Condition> conditions =
        Combinators.combine(keys, patternLists(), patternLists())
            .as(
                (key, values, notValues) ->
                    values.isEmpty() && notValues.isEmpty()
                        ? new AuthorizationPolicy.Condition(key, List.of("*"), List.of())
                        : new AuthorizationPolicy.Condition(key, values, notValues));
    return Combinators.combine(
            sources.list().ofMaxSize(2),
            operations.list().ofMaxSize(2),
            conditions.list().ofMaxSize(2))
        .as(AuthorizationPolicy.Rule::new);
  }

  /** Match patterns: exact values (awkward ones included), prefixes, suffixes and "present". */
  private static Arbitrary<List<String>> patternLists() {
    Arbitrary<String> exact = names().filter(n -> !n.contains("*"));
    Arbitrary<String> pattern =
        Arbitraries.oneOf(
            exact,
            exact.map(n -> n + "*"),
            exact.map(n -> "*" + n),
            Arbitraries.just("*"),
            Arbitraries.of(
                "spiffe://weft.test/ns/default/sa/productpage",
                "weft.test/ns/default/sa/*",
                "/bookinfo.Reviews/*"));
    return pattern.list().ofMaxSize(2);
  }

  // ---- strings

  /**
   * Names: no white space, never blank; some with dots, slashes or bars as Kubernetes and Istio
   * names have.
   */
  public static Arbitrary<String> names() {
    return Arbitraries.oneOf(
        Arbitraries.strings()
            .withCharRange('a', 'z')
            .withChars('-', '0', '9')
            .ofMinLength(1)
            .ofMaxLength(12)
            .filter(s -> Character.isLetter(s.charAt(0))),
        Arbitraries.of(
            "reviews.default.svc.cluster.local",
            "outbound|9080||ratings",
            "a/b",
            "x:y",
            "1.10",
            "true",
            "null",
            "~",
            "08",
            "0x1F",
            "2026-11-27",
            "yes",
            "é",
            "日本",
            "[v1]",
            "{a}",
            "-dash",
            "#hash",
            "*star",
            "&amp",
            "!bang",
            "%pct",
            "@at",
            "`tick`",
            "'q'",
            "\"dq\"",
            "<<"));
  }

  /** Any text, including empty strings and characters YAML gives meaning to. */
  public static Arbitrary<String> texts() {
    return Arbitraries.oneOf(
        Arbitraries.strings()
            .ofMaxLength(20)
            .withChars("ab xyz019:#-?&*!|>'\"%@`,[]{}é日\t\n\\/.=~")
            .withCharRange('\u0001', '\u0003'),
        Arbitraries.of(
            "",
            " ",
            "yes",
            "No",
            "on",
            "null",
            "~",
            "1",
            "-1",
            "1.5",
            "1e3",
            ".inf",
            ".NaN",
            "0x10",
            "1:30",
            "2026-11-27",
            "<<",
            "=",
            "- item",
            "key: value",
            "# comment",
            "trailing ",
            " leading",
            "'",
            "\""),
        names());
  }

  private static Arbitrary<String> versions() {
    return Arbitraries.oneOf(names(), Arbitraries.of("2026-11-27.1", "sha256:0123456789ab", "v1"));
  }

  // ---- numbers and durations

  static Arbitrary<Duration> durations() {
    return Arbitraries.oneOf(
        Arbitraries.longs().between(0, 10_000).map(Duration::ofMillis),
        Arbitraries.longs().between(0, 100).map(Duration::ofMinutes),
        Arbitraries.longs().between(0, Long.MAX_VALUE / 4).map(Duration::ofNanos),
        Arbitraries.of(
            Duration.ZERO,
            Duration.ofSeconds(Long.MAX_VALUE, 999_999_999),
            Duration.ofSeconds(1, 1),
            Duration.ofHours(1_000_000)));
  }

  static Arbitrary<Duration> positiveDurations() {
    return durations().filter(d -> !d.isZero());
  }

  /** Durations from 1 ms to a day (fill intervals: the model's check of them cannot take more). */
  static Arbitrary<Duration> intervals() {
    return Arbitraries.longs().between(1_000_000, 86_400_000_000_000L).map(Duration::ofNanos);
  }

  /**
   * Doubles in {@code [min, max]}, some short decimals and some with every bit of precision used.
   */
  static Arbitrary<Double> doubles(double min, double max) {
    return Arbitraries.oneOf(
        Arbitraries.doubles().between(min, max).ofScale(3),
        Arbitraries.randomValue(r -> Math.min(max, min + r.nextDouble() * (max - min))));
  }

  static Arbitrary<Double> percents() {
    return Arbitraries.oneOf(
        doubles(0, 100), Arbitraries.of(0.0, -0.0, 100.0, 12.5, 33.333333333333336));
  }

  private MeshConfigs() {}
}
