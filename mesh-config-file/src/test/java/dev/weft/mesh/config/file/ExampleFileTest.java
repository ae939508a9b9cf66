package dev.weft.mesh.config.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

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
import dev.weft.mesh.api.config.RetryOn;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.api.config.SlowStart;
import dev.weft.mesh.api.config.Subset;
import dev.weft.mesh.api.config.TlsSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The BookInfo example of the docs reads to the configuration its comments describe. */
class ExampleFileTest {
  static final Path EXAMPLE = Path.of("../docs/examples/mesh.yaml");

  private static MeshConfig config;

  @BeforeAll
  static void read() throws Exception {
    config = MeshConfigYaml.read(EXAMPLE);
  }

  private static Service service(String name) {
    return config.service(name).orElseThrow();
  }

  private static Cluster cluster(String name) {
    return config.cluster(name).orElseThrow();
  }

  @Test
  void hasBookInfosServicesAndClusters() {
    assertThat(config.version()).isEqualTo("2026-11-27.1");
    assertThat(config.services())
        .extracting(Service::name)
        .containsExactly("productpage", "details", "reviews", "ratings");
    assertThat(config.clusters())
        .extracting(Cluster::name)
        .containsExactly("productpage", "details", "reviews", "ratings");
  }

  @Test
  void routesJasonToReviewsV2AndShiftsOthersBetweenV1AndV3() {
    List<Route> routes = service("reviews").routes();
    assertThat(routes).extracting(Route::name).containsExactly("jason", "shift-to-v3");

    Route jason = routes.get(0);
    assertThat(jason.match().headers()).containsExactly(HeaderMatch.exact("end-user", "jason"));
    assertThat(jason.match().path()).isEqualTo(PathMatch.ANY);
    assertThat(jason.destinations()).containsExactly(Destination.of("reviews", "v2", 1));
    assertThat(jason.timeout()).isEqualTo(Duration.ofSeconds(1));

    Route shift = routes.get(1);
    assertThat(shift.match().path()).isEqualTo(PathMatch.regex("/reviews/[0-9]+"));
    assertThat(shift.match().methods()).containsExactly("GET");
    assertThat(shift.destinations())
        .containsExactly(Destination.of("reviews", "v1", 90), Destination.of("reviews", "v3", 10));
    assertThat(shift.retry().maxAttempts()).isEqualTo(3);
    assertThat(shift.retry().perTryTimeout()).isEqualTo(Duration.ofMillis(300));
    assertThat(shift.retry().retryOn())
        .containsExactlyInAnyOrder(
            RetryOn.FIVE_XX, RetryOn.RESET, RetryOn.UNAVAILABLE, RetryOn.RETRIABLE_STATUS_CODES);
    assertThat(shift.retry().retriableStatusCodes()).containsExactly(503);
    assertThat(shift.mirrors()).containsExactly(new MirrorPolicy("reviews", "v2", 10));
  }

  @Test
  void reviewsHasThreeVersionedSubsetsAndItsPolicies() {
    Cluster reviews = cluster("reviews");
    assertThat(reviews.endpoints())
        .extracting(Endpoint::address, e -> e.labels().get("version"), Endpoint::locality)
        .containsExactly(
            tuple("127.0.0.1:9082", "v1", new Locality("local", "a", "")),
            tuple("127.0.0.1:9083", "v2", new Locality("local", "a", "")),
            tuple("127.0.0.1:9084", "v3", new Locality("local", "b", "")));
    assertThat(reviews.subsets())
        .containsExactly(
            new Subset("v1", Map.of("version", "v1")),
            new Subset("v2", Map.of("version", "v2")),
            new Subset("v3", Map.of("version", "v3")));
    assertThat(reviews.loadBalancing())
        .isEqualTo(
            LoadBalancing.of(LoadBalancing.LEAST_REQUEST)
                .withOptions(Map.of("choiceCount", 2))
                .withSlowStart(new SlowStart(Duration.ofSeconds(30), 1.0, 10)));
    assertThat(reviews.circuitBreakers())
        .isEqualTo(new dev.weft.mesh.api.config.CircuitBreakers(100, 10, 200, 3));
    assertThat(reviews.outlierDetection())
        .isEqualTo(
            OutlierDetection.builder()
                .interval(Duration.ofSeconds(5))
                .consecutiveGatewayFailures(3)
                .maxEjectionPercent(50)
                .build());
    assertThat(reviews.tls())
        .isEqualTo(
            new TlsSettings(
                TlsSettings.Mode.MUTUAL,
                "certs/productpage.pem",
                "certs/productpage.key",
                "certs/ca.pem",
                List.of("spiffe://weft.test/ns/default/sa/bookinfo-reviews"),
                "reviews"));
  }

  @Test
  void ratingsInjectsADelayForJasonAndHedgesEveryoneElse() {
    List<Route> routes = service("ratings").routes();
    assertThat(routes)
        .extracting(Route::name)
        .containsExactly("jason-delayed", "test-shard", "default");

    Route delayed = routes.get(0);
    assertThat(delayed.match().headers())
        .containsExactly(
            HeaderMatch.exact("end-user", "jason"), HeaderMatch.absent("x-skip-fault"));
    assertThat(delayed.fault().delay())
        .isEqualTo(new FaultInjection.Delay(Duration.ofSeconds(7), 100));
    assertThat(delayed.fault().abort()).isEqualTo(FaultInjection.Abort.NONE);

    Route shard = routes.get(1);
    assertThat(shard.match().headers()).containsExactly(HeaderMatch.range("x-shard", 0, 10));
    assertThat(shard.fault().abort()).isEqualTo(new FaultInjection.Abort(500, "INTERNAL", 10));

    Route other = routes.get(2);
    assertThat(other.hedging())
        .isEqualTo(new HedgingPolicy(2, Duration.ofMillis(50), 95, Set.of(RetryOn.UNAVAILABLE)));
    assertThat(other.hashPolicies())
        .containsExactly(
            HashPolicy.header("end-user"), new HashPolicy(HashPolicy.Kind.CALL_KEY, "", true));
    assertThat(other.rateLimit()).isEqualTo(LocalRateLimit.of(100, Duration.ofSeconds(1)));
  }

  @Test
  void ratingsFailsOverToAnIpv6EndpointOfLowerPriority() {
    Cluster ratings = cluster("ratings");
    assertThat(ratings.endpoints())
        .extracting(
            Endpoint::host, Endpoint::port, Endpoint::weight, Endpoint::priority, Endpoint::health)
        .containsExactly(
            tuple("127.0.0.1", 9085, 2, 0, HealthStatus.HEALTHY),
            tuple("127.0.0.1", 9086, 1, 0, HealthStatus.HEALTHY),
            tuple("::1", 9087, 1, 1, HealthStatus.UNKNOWN));
    assertThat(ratings.loadBalancing().policy()).isEqualTo(LoadBalancing.RING_HASH);
    assertThat(ratings.loadBalancing().options())
        .isEqualTo(Map.of("minRingSize", 1024, "maxRingSize", 8192));
    assertThat(ratings.outlierDetection().successRate())
        .isEqualTo(new OutlierDetection.SuccessRate(2, 100, 1.9, 100));
    assertThat(ratings.outlierDetection().failurePercentage())
        .isEqualTo(new OutlierDetection.FailurePercentage(85, 2, 50, 100));
    assertThat(ratings.tls().mode()).isEqualTo(TlsSettings.Mode.SIMPLE);
    assertThat(ratings.connectTimeout()).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void detailsRetriesWithEnvoysConditionString() {
    Route details = service("details").routes().get(0);
    assertThat(details.match().path()).isEqualTo(PathMatch.prefix("/details/"));
    assertThat(details.retry().retryOn())
        .containsExactlyInAnyOrder(RetryOn.FIVE_XX, RetryOn.RESET, RetryOn.CONNECT_FAILURE);
    assertThat(details.timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(cluster("details").connectTimeout()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void writesAndReadsBackEqual() {
    String yaml = MeshConfigYaml.write(config);

    assertThat(yaml).doesNotContain("&id").doesNotContain("*id");
    assertThat(MeshConfigYaml.read(yaml.getBytes(StandardCharsets.UTF_8), "written.yaml"))
        .isEqualTo(config);
  }
}
