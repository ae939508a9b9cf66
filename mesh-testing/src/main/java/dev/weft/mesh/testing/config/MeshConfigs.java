package dev.weft.mesh.testing.config;

import dev.weft.mesh.api.config.CircuitBreakers;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.FaultInjection;
import dev.weft.mesh.api.config.HashPolicy;
import dev.weft.mesh.api.config.HeaderMatch;
import dev.weft.mesh.api.config.HealthStatus;
import dev.weft.mesh.api.config.HedgingPolicy;
import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.config.LocalRateLimit;
import dev.weft.mesh.api.config.Locality;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.MirrorPolicy;
import dev.weft.mesh.api.config.OutlierDetection;
import dev.weft.mesh.api.config.PathMatch;
import dev.weft.mesh.api.config.RetryBudget;
import dev.weft.mesh.api.config.RetryOn;
import dev.weft.mesh.api.config.RetryPolicy;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.RouteMatch;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.api.config.SlowStart;
import dev.weft.mesh.api.config.Subset;
import dev.weft.mesh.api.config.TlsSettings;
import dev.weft.mesh.api.security.AuthorizationPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
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

  public static Arbitrary<MeshConfig> meshConfigs() {
    Arbitrary<List<Function<List<Cluster>, Service>>> services =
        Combinators.combine(
                names().list().ofMaxSize(3).uniqueElements(), service().list().ofSize(3))
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

  private static Arbitrary<Duration> durations() {
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

  private static Arbitrary<Duration> positiveDurations() {
    return durations().filter(d -> !d.isZero());
  }

  /** Durations from 1 ms to a day (fill intervals: the model's check of them cannot take more). */
  private static Arbitrary<Duration> intervals() {
    return Arbitraries.longs().between(1_000_000, 86_400_000_000_000L).map(Duration::ofNanos);
  }

  /**
   * Doubles in {@code [min, max]}, some short decimals and some with every bit of precision used.
   */
  private static Arbitrary<Double> doubles(double min, double max) {
    return Arbitraries.oneOf(
        Arbitraries.doubles().between(min, max).ofScale(3),
        Arbitraries.randomValue(r -> Math.min(max, min + r.nextDouble() * (max - min))));
  }

  private static Arbitrary<Double> percents() {
    return Arbitraries.oneOf(
        doubles(0, 100), Arbitraries.of(0.0, -0.0, 100.0, 12.5, 33.333333333333336));
  }

  // ---- clusters

  public static Arbitrary<List<Cluster>> clusters() {
    Arbitrary<List<Subset>> subsets =
        Combinators.combine(
                names().list().ofMaxSize(3).uniqueElements(), labels(1).list().ofSize(3))
            .as(
                (names, labels) -> {
                  List<Subset> result = new ArrayList<>();
                  for (int i = 0; i < names.size(); i++) {
                    result.add(new Subset(names.get(i), labels.get(i)));
                  }
                  return result;
                });
    Arbitrary<List<Endpoint>> endpoints =
        endpoints().list().ofMaxSize(3).uniqueElements(Endpoint::address);
    Arbitrary<Function<String, Cluster>> bodies =
        Combinators.combine(
                endpoints,
                subsets,
                loadBalancing(),
                circuitBreakers(),
                outlierDetection(),
                retryBudgets(),
                tls(),
                positiveDurations())
            .as(
                (e, s, lb, cb, od, rb, tls, ct) ->
                    name -> new Cluster(name, e, s, lb, cb, od, rb, tls, ct));
    return Combinators.combine(
            names().list().ofMaxSize(3).uniqueElements(), bodies.list().ofSize(3))
        .as(
            (names, b) -> {
              List<Cluster> result = new ArrayList<>();
              for (int i = 0; i < names.size(); i++) {
                result.add(b.get(i).apply(names.get(i)));
              }
              return result;
            });
  }

  private static Arbitrary<Endpoint> endpoints() {
    Arbitrary<String> hosts =
        Arbitraries.oneOf(
            Arbitraries.integers()
                .between(0, 255)
                .list()
                .ofSize(4)
                .map(o -> o.get(0) + "." + o.get(1) + "." + o.get(2) + "." + o.get(3)),
            Arbitraries.of(
                "::1",
                "fe80::1",
                "2001:db8::8a2e:370:7334",
                "localhost",
                "reviews.default.svc",
                "[odd]",
                "a]b"),
            names());
    Arbitrary<Locality> localities =
        Combinators.combine(localityParts(), localityParts(), localityParts()).as(Locality::new);
    return Combinators.combine(
            hosts,
            Arbitraries.integers().between(1, 65535),
            Arbitraries.integers().between(1, Integer.MAX_VALUE),
            localities,
            Arbitraries.integers().between(0, 5),
            Arbitraries.of(HealthStatus.class),
            labels(0))
        .as(Endpoint::new);
  }

  private static Arbitrary<String> localityParts() {
    return Arbitraries.oneOf(Arbitraries.just(""), texts());
  }

  private static Arbitrary<Map<String, String>> labels(int min) {
    Arbitrary<String> keys = texts().filter(k -> !k.isBlank());
    return Arbitraries.maps(keys, texts()).ofMinSize(min).ofMaxSize(3);
  }

  private static Arbitrary<LoadBalancing> loadBalancing() {
    Arbitrary<String> policies =
        Arbitraries.oneOf(
            Arbitraries.of(
                LoadBalancing.ROUND_ROBIN,
                LoadBalancing.LEAST_REQUEST,
                LoadBalancing.RING_HASH,
                LoadBalancing.MAGLEV,
                LoadBalancing.RANDOM),
            names());
    Arbitrary<SlowStart> slowStarts =
        Combinators.combine(durations(), doubles(0.001, 100).filter(d -> d > 0), percents())
            .as(SlowStart::new);
    return Combinators.combine(
            policies,
            options(),
            Arbitraries.of(true, false),
            Arbitraries.integers().between(100, Integer.MAX_VALUE),
            percents(),
            slowStarts)
        .as(LoadBalancing::new);
  }

  /**
   * Free-form options in the types the reader gives back: Integer, Long, Double, Boolean, String,
   * null, List, Map.
   */
  private static Arbitrary<Map<String, Object>> options() {
    Arbitrary<Object> scalars =
        Arbitraries.oneOf(
            Arbitraries.integers().map(i -> (Object) i),
            Arbitraries.longs()
                .filter(l -> l < Integer.MIN_VALUE || l > Integer.MAX_VALUE)
                .map(l -> (Object) l),
            Arbitraries.doubles().map(d -> (Object) d),
            Arbitraries.of(
                    Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 2.0)
                .map(d -> (Object) d),
            Arbitraries.of(true, false).map(b -> (Object) b),
            texts().map(s -> (Object) s),
            Arbitraries.just(null));
    Arbitrary<Object> nested =
        Arbitraries.oneOf(
            scalars,
            scalars.list().ofMaxSize(3).map(l -> (Object) l),
            Arbitraries.maps(texts(), scalars).ofMaxSize(3).map(m -> (Object) m));
    return Arbitraries.maps(texts(), nested).ofMaxSize(4);
  }

  private static Arbitrary<CircuitBreakers> circuitBreakers() {
    return Combinators.combine(
            Arbitraries.integers().between(1, Integer.MAX_VALUE),
            Arbitraries.integers().between(0, Integer.MAX_VALUE),
            Arbitraries.integers().between(1, Integer.MAX_VALUE),
            Arbitraries.integers().between(0, Integer.MAX_VALUE))
        .as(CircuitBreakers::new);
  }

  private static Arbitrary<OutlierDetection> outlierDetection() {
    Arbitrary<OutlierDetection.SuccessRate> successRates =
        Combinators.combine(
                Arbitraries.integers().between(1, 1000), Arbitraries.integers().between(1, 100_000),
                doubles(0.01, 10), Arbitraries.integers().between(0, 100))
            .as(OutlierDetection.SuccessRate::new);
    Arbitrary<OutlierDetection.FailurePercentage> failurePercentages =
        Combinators.combine(
                Arbitraries.integers().between(0, 100), Arbitraries.integers().between(1, 1000),
                Arbitraries.integers().between(1, 100_000), Arbitraries.integers().between(0, 100))
            .as(OutlierDetection.FailurePercentage::new);
    Arbitrary<Duration[]> times =
        Combinators.combine(positiveDurations(), positiveDurations(), positiveDurations())
            .as(
                (interval, a, b) ->
                    new Duration[] {
                      interval, a.compareTo(b) <= 0 ? a : b, a.compareTo(b) <= 0 ? b : a
                    });
    return Combinators.combine(
            Arbitraries.of(true, false),
            times,
            Arbitraries.integers().between(0, 100),
            Arbitraries.integers().between(0, 1000),
            Arbitraries.integers().between(0, 1000),
            successRates,
            failurePercentages)
        .as(
            (enabled, t, maxPercent, consecutive, gateway, sr, fp) ->
                new OutlierDetection(
                    enabled, t[0], t[1], t[2], maxPercent, consecutive, gateway, sr, fp));
  }

  private static Arbitrary<RetryBudget> retryBudgets() {
    return Combinators.combine(
            doubles(0, 1000),
            Arbitraries.integers().between(0, 10_000),
            Arbitraries.longs().between(1_000_000_000L, 60_000_000_000L).map(Duration::ofNanos))
        .as(RetryBudget::new);
  }

  private static Arbitrary<TlsSettings> tls() {
    Arbitrary<String> paths =
        Arbitraries.oneOf(
            Arbitraries.just(""), Arbitraries.of("certs/a.pem", "/etc/weft/ca.pem", "key: file"));
    Arbitrary<List<String>> sans =
        Arbitraries.of("spiffe://weft.test/ns/default/sa/reviews", "reviews.default.svc", "")
            .list()
            .ofMaxSize(2);
    return Combinators.combine(Arbitraries.of(TlsSettings.Mode.class), paths, paths, sans, texts())
        .as(
            (mode, chain, ca, san, sni) ->
                new TlsSettings(
                    mode,
                    chain,
                    chain.isEmpty() ? "" : chain + ".key",
                    ca,
                    mode == TlsSettings.Mode.DISABLED ? List.of() : san,
                    sni));
  }

  // ---- services

  /** The routes of a service, once the clusters they may name are known. */
  private static Arbitrary<Function<List<Cluster>, List<Route>>> service() {
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

  private MeshConfigs() {}
}
