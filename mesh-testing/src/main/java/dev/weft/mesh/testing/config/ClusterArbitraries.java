package dev.weft.mesh.testing.config;

import static dev.weft.mesh.testing.config.MeshConfigs.doubles;
import static dev.weft.mesh.testing.config.MeshConfigs.durations;
import static dev.weft.mesh.testing.config.MeshConfigs.names;
import static dev.weft.mesh.testing.config.MeshConfigs.percents;
import static dev.weft.mesh.testing.config.MeshConfigs.positiveDurations;
import static dev.weft.mesh.testing.config.MeshConfigs.texts;

import dev.weft.mesh.api.config.CircuitBreakers;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.HealthStatus;
import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.config.Locality;
import dev.weft.mesh.api.config.OutlierDetection;
import dev.weft.mesh.api.config.RetryBudget;
import dev.weft.mesh.api.config.SlowStart;
import dev.weft.mesh.api.config.Subset;
import dev.weft.mesh.api.config.TlsSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * The cluster generators of {@link MeshConfigs}: clusters with unique names, endpoints (addresses
 * awkward ones included), subsets, load balancing with free-form options, circuit breakers, outlier
 * detection, retry budgets and TLS settings.
 */
final class ClusterArbitraries {
  private ClusterArbitraries() {}

  static Arbitrary<List<Cluster>> clusters() {
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
}
