package dev.weft.mesh.testing.config;

import static dev.weft.mesh.testing.config.MeshConfigs.doubles;
import static dev.weft.mesh.testing.config.MeshConfigs.durations;
import static dev.weft.mesh.testing.config.MeshConfigs.intervals;
import static dev.weft.mesh.testing.config.MeshConfigs.names;
import static dev.weft.mesh.testing.config.MeshConfigs.percents;
import static dev.weft.mesh.testing.config.MeshConfigs.positiveDurations;
import static dev.weft.mesh.testing.config.MeshConfigs.texts;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.FaultInjection;
import dev.weft.mesh.api.config.HashPolicy;
import dev.weft.mesh.api.config.HeaderMatch;
import dev.weft.mesh.api.config.HedgingPolicy;
import dev.weft.mesh.api.config.LocalRateLimit;
import dev.weft.mesh.api.config.MirrorPolicy;
import dev.weft.mesh.api.config.PathMatch;
import dev.weft.mesh.api.config.RetryOn;
import dev.weft.mesh.api.config.RetryPolicy;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.RouteMatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * The route generators of {@link MeshConfigs}: a service's routes, whose destinations and mirrors
 * name clusters and subsets that exist once the clusters are known, with their matches, retry or
 * hedging policies, faults, hash policies and rate limits.
 */
final class RouteArbitraries {
  private RouteArbitraries() {}

  /** The routes of a service, once the clusters they may name are known. */
  static Arbitrary<Function<List<Cluster>, List<Route>>> service() {
    return Combinators.combine(
            names().list().ofMinSize(1).ofMaxSize(3).uniqueElements(), route().list().ofSize(3))
        .as(
            (names, bodies) ->
                clusters -> {
                  List<Route> routes = new ArrayList<>();
                  for (int i = 0; i < names.size(); i++) {
                    routes.add(bodies.get(i).apply(names.get(i), clusters));
                  }
                  return routes;
                });
  }

  private static Arbitrary<BiFunction<String, List<Cluster>, Route>> route() {
    Arbitrary<List<Function<List<Cluster>, Destination>>> destinations =
        Combinators.combine(target(), Arbitraries.integers().between(0, 1000))
            .as(
                (t, w) ->
                    (Function<List<Cluster>, Destination>)
                        clusters -> new Destination(t.apply(clusters)[0], t.apply(clusters)[1], w))
            .list()
            .ofMinSize(1)
            .ofMaxSize(3);
    Arbitrary<Integer> firstWeight = Arbitraries.integers().between(1, 1000);
    Arbitrary<List<Function<List<Cluster>, MirrorPolicy>>> mirrors =
        Combinators.combine(target(), percents())
            .as(
                (t, p) ->
                    (Function<List<Cluster>, MirrorPolicy>)
                        clusters -> new MirrorPolicy(t.apply(clusters)[0], t.apply(clusters)[1], p))
            .list()
            .ofMaxSize(2);
    Arbitrary<Object[]> policies =
        Arbitraries.oneOf(
            retries().map(r -> new Object[] {r, HedgingPolicy.NONE}),
            hedgings().map(h -> new Object[] {RetryPolicy.NONE, h}),
            Combinators.combine(retries(), hedgings())
                .as((r, h) -> new Object[] {r.toBuilder().maxAttempts(1).build(), h}),
            Arbitraries.just(new Object[] {RetryPolicy.NONE, HedgingPolicy.NONE}));
    Arbitrary<Object[]> rest =
        Combinators.combine(
                faults(), mirrors, hashPolicies().list().ofMaxSize(2), rateLimits(), firstWeight)
            .as((fault, m, hash, rate, w) -> new Object[] {fault, m, hash, rate, w});
    return Combinators.combine(match(), destinations, durations(), policies, rest)
        .as(
            (match, dests, timeout, p, r) ->
                (name, clusters) -> {
                  List<Destination> ds = new ArrayList<>();
                  dests.forEach(d -> ds.add(d.apply(clusters)));
                  if (ds.stream().allMatch(d -> d.weight() == 0)) {
                    Destination first = ds.get(0);
                    ds.set(0, new Destination(first.cluster(), first.subset(), (Integer) r[4]));
                  }
                  @SuppressWarnings("unchecked")
                  List<Function<List<Cluster>, MirrorPolicy>> ms =
                      (List<Function<List<Cluster>, MirrorPolicy>>) r[1];
                  @SuppressWarnings("unchecked")
                  List<HashPolicy> hash = (List<HashPolicy>) r[2];
                  return new Route(
                      name,
                      match,
                      ds,
                      timeout,
                      (RetryPolicy) p[0],
                      (HedgingPolicy) p[1],
                      (FaultInjection) r[0],
                      ms.stream().map(m -> m.apply(clusters)).toList(),
                      hash,
                      (LocalRateLimit) r[3]);
                });
  }

  /** Picks a cluster name and one of its subset names (or empty), once the clusters are known. */
  private static Arbitrary<Function<List<Cluster>, String[]>> target() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 1000), Arbitraries.integers().between(0, 1000))
        .as(
            (c, s) ->
                clusters -> {
                  Cluster cluster = clusters.get(c % clusters.size());
                  int subset = s % (cluster.subsets().size() + 1);
                  return new String[] {
                    cluster.name(), subset == 0 ? "" : cluster.subsets().get(subset - 1).name()
                  };
                });
  }

  private static Arbitrary<RouteMatch> match() {
    Arbitrary<PathMatch> paths =
        Arbitraries.oneOf(
            Combinators.combine(
                    Arbitraries.of(PathMatch.Kind.EXACT, PathMatch.Kind.PREFIX),
                    texts(),
                    Arbitraries.of(true, false))
                .as((k, v, ic) -> new PathMatch(k, "/" + v, ic)),
            Arbitraries.of("/v[0-9]+/.*", ".*", "(?i)/reviews/\\d+", "/a|/b")
                .map(r -> new PathMatch(PathMatch.Kind.REGEX, r, false)));
    Arbitrary<List<String>> methods =
        Arbitraries.of("GET", "POST", "PUT", "DELETE", "PATCH").list().ofMaxSize(3);
    return Combinators.combine(paths, methods, headerMatches().list().ofMaxSize(3))
        .as(RouteMatch::new);
  }

  private static Arbitrary<HeaderMatch> headerMatches() {
    Arbitrary<String> headerNames =
        Arbitraries.of(
            "end-user", "x-debug", "x-shard", ":authority", "grpc-timeout", "x-B3-TraceId");
    Arbitrary<Boolean> bools = Arbitraries.of(true, false);
    Arbitrary<HeaderMatch> strings =
        Combinators.combine(
                headerNames,
                Arbitraries.of(
                    HeaderMatch.Kind.PREFIX, HeaderMatch.Kind.SUFFIX, HeaderMatch.Kind.CONTAINS),
                texts().filter(t -> !t.isEmpty()),
                bools,
                bools)
            .as((n, k, v, inv, ic) -> new HeaderMatch(n, k, v, 0, 0, inv, ic));
    Arbitrary<HeaderMatch> exact =
        Combinators.combine(headerNames, texts(), bools, bools)
            .as((n, v, inv, ic) -> new HeaderMatch(n, HeaderMatch.Kind.EXACT, v, 0, 0, inv, ic));
    Arbitrary<HeaderMatch> regex =
        Combinators.combine(headerNames, Arbitraries.of("v[0-9]+", ".*jason.*", "^$"), bools)
            .as((n, v, inv) -> new HeaderMatch(n, HeaderMatch.Kind.REGEX, v, 0, 0, inv, false));
    Arbitrary<HeaderMatch> present =
        Combinators.combine(headerNames, bools, bools)
            .as((n, inv, ic) -> new HeaderMatch(n, HeaderMatch.Kind.PRESENT, "", 0, 0, inv, ic));
    Arbitrary<HeaderMatch> range =
        Combinators.combine(headerNames, Arbitraries.longs(), Arbitraries.longs(), bools)
            .filter((n, a, b, inv) -> !a.equals(b))
            .as(
                (n, a, b, inv) ->
                    new HeaderMatch(
                        n, HeaderMatch.Kind.RANGE, "", Math.min(a, b), Math.max(a, b), inv, false));
    return Arbitraries.oneOf(strings, exact, regex, present, range);
  }

  private static Arbitrary<RetryPolicy> retries() {
    Arbitrary<Set<RetryOn>> conditions = Arbitraries.of(RetryOn.class).set().ofMaxSize(4);
    Arbitrary<Set<Integer>> codes = Arbitraries.integers().between(100, 599).set().ofMaxSize(3);
    return Combinators.combine(
            Arbitraries.integers().between(2, 10),
            durations(),
            conditions,
            codes,
            positiveDurations(),
            positiveDurations(),
            Arbitraries.of(true, false))
        .as(
            (max, perTry, on, c, a, b, nonIdempotent) ->
                new RetryPolicy(
                    max,
                    perTry,
                    on,
                    c,
                    a.compareTo(b) <= 0 ? a : b,
                    a.compareTo(b) <= 0 ? b : a,
                    nonIdempotent));
  }

  private static Arbitrary<HedgingPolicy> hedgings() {
    Arbitrary<Double> percentiles = Arbitraries.oneOf(Arbitraries.just(0.0), doubles(50, 99.999));
    return Combinators.combine(
            Arbitraries.integers().between(2, 5),
            positiveDurations(),
            percentiles,
            Arbitraries.of(RetryOn.class).set().ofMaxSize(3))
        .as(HedgingPolicy::new);
  }

  private static Arbitrary<FaultInjection> faults() {
    Arbitrary<FaultInjection.Delay> delays =
        Combinators.combine(durations(), percents()).as(FaultInjection.Delay::new);
    Arbitrary<String> grpc =
        Arbitraries.of("", "UNAVAILABLE", "INTERNAL", "DEADLINE_EXCEEDED", "RESOURCE_EXHAUSTED");
    Arbitrary<FaultInjection.Abort> aborts =
        Combinators.combine(Arbitraries.integers().between(200, 599), grpc, percents())
            .as(FaultInjection.Abort::new);
    return Arbitraries.oneOf(
        Arbitraries.just(FaultInjection.NONE),
        Combinators.combine(delays, aborts, headerMatches().list().ofMaxSize(2))
            .as(FaultInjection::new));
  }

  private static Arbitrary<HashPolicy> hashPolicies() {
    return Arbitraries.oneOf(
        Combinators.combine(
                Arbitraries.of("x-user", "End-User", "cookie"), Arbitraries.of(true, false))
            .as((n, t) -> new HashPolicy(HashPolicy.Kind.HEADER, n, t)),
        Arbitraries.of(true, false).map(t -> new HashPolicy(HashPolicy.Kind.CALL_KEY, "", t)));
  }

  private static Arbitrary<LocalRateLimit> rateLimits() {
    return Arbitraries.oneOf(
        Arbitraries.just(LocalRateLimit.UNLIMITED),
        Combinators.combine(
                Arbitraries.longs().between(1, Long.MAX_VALUE),
                Arbitraries.longs().between(1, Long.MAX_VALUE),
                intervals())
            .as(LocalRateLimit::new),
        Combinators.combine(Arbitraries.longs().between(0, 1000), intervals())
            .as((t, i) -> new LocalRateLimit(0, t, i)));
  }
}
