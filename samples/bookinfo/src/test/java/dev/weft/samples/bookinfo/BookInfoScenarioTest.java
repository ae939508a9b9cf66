package dev.weft.samples.bookinfo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.config.file.FileConfigSource;
import dev.weft.mesh.grpc.MeshGrpc;
import dev.weft.mesh.http.MeshHttpClient;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the whole application once on free loopback ports and switches it through every scenario by
 * rewriting its watched configuration file, as the {@code scenario} command does, asserting what
 * each scenario is for.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BookInfoScenarioTest {
  @TempDir static Path dir;
  private Path file;
  private BookInfoApp app;
  private final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeAll
  void start() throws IOException {
    Scenarios.Ports ports = Scenarios.Ports.free();
    file = dir.resolve("mesh.yaml");
    Scenarios.write("default", ports, file);
    app =
        new BookInfoApp(
            ports,
            FileConfigSource.builder(file).pollInterval(Duration.ofMillis(200)).build(),
            new SimpleMeterRegistry(),
            Duration.ZERO);
  }

  @AfterAll
  void stop() throws InterruptedException {
    for (ManagedChannel channel : channels) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (app != null) {
      app.close();
    }
  }

  private void apply(String scenario) throws IOException {
    String before = app.mesh.configVersion();
    Scenarios.write(scenario, app.ports, file);
    await().atMost(Duration.ofSeconds(10)).until(() -> !app.mesh.configVersion().equals(before));
  }

  @Test
  void withoutRulesCallsSpreadOverAllThreeVersions() throws Exception {
    apply("default");
    Traffic.Tally tally = Traffic.send(app.http, 90, null);
    assertThat(tally.reviewsVersions()).containsOnlyKeys("v1", "v2", "v3");
    assertThat(tally.failed()).isZero();
  }

  @Test
  void allTrafficToV1() throws Exception {
    apply("all-v1");
    Traffic.Tally tally = Traffic.send(app.http, 100, null);
    assertThat(tally.reviewsVersions()).containsExactly(Map.entry("v1", 100));
    assertThat(Traffic.send(app.http, 20, "jason").reviewsVersions())
        .containsExactly(Map.entry("v1", 20));
  }

  @Test
  void jasonAlwaysSeesV2AndEveryoneElseV1() throws Exception {
    apply("jason-v2");
    assertThat(Traffic.send(app.http, 100, "jason").reviewsVersions())
        .containsExactly(Map.entry("v2", 100));
    assertThat(Traffic.send(app.http, 100, null).reviewsVersions())
        .containsExactly(Map.entry("v1", 100));
    assertThat(page("jason")).contains("Signed in as <b>jason</b>").contains("class=\"black\"");
  }

  @Test
  void fiftyFiftyBetweenV1AndV3() throws Exception {
    apply("v1-v3-50-50");
    Traffic.Tally tally = Traffic.send(app.http, 1000, null);
    assertThat(tally.reviewsVersions()).containsOnlyKeys("v1", "v3");
    assertThat(tally.share("v1")).isBetween(45.0, 55.0);
    assertThat(tally.share("v3")).isBetween(45.0, 55.0);
  }

  @Test
  void allTrafficToV3ShowsRedStars() throws Exception {
    apply("all-v3");
    assertThat(Traffic.send(app.http, 100, null).reviewsVersions())
        .containsExactly(Map.entry("v3", 100));
    assertThat(page(null)).contains("class=\"red\"");
  }

  @Test
  void aSevenSecondDelayOnRatingsFitsInTheTenSecondTimeout() throws Exception {
    apply("ratings-delay");
    long start = System.nanoTime();
    Traffic.Tally jason = Traffic.send(app.http, 1, "jason");
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(took)
        .isGreaterThanOrEqualTo(Duration.ofSeconds(7))
        .isLessThan(Duration.ofSeconds(10));
    assertThat(jason.reviewsVersions()).containsExactly(Map.entry("v2", 1));
    assertThat(jason.ratingsUnavailable()).isZero();
    Traffic.Tally others = Traffic.send(app.http, 20, null);
    assertThat(others.percentileMillis(100)).isLessThan(2000);
  }

  @Test
  void theHalfSecondReviewsTimeoutShowsReviewsUnavailable() throws Exception {
    apply("reviews-timeout");
    long start = System.nanoTime();
    String html = page(null);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(html).contains(ProductPage.REVIEWS_UNAVAILABLE);
    assertThat(took)
        .isGreaterThanOrEqualTo(Duration.ofMillis(450))
        .isLessThan(Duration.ofMillis(1900));
    assertThat(Traffic.send(app.http, 3, null).reviewsUnavailable()).isEqualTo(3);
  }

  @Test
  void theAbortOnRatingsShowsRatingsUnavailableToJasonOnly() throws Exception {
    apply("ratings-abort");
    Traffic.Tally jason = Traffic.send(app.http, 20, "jason");
    assertThat(jason.reviewsVersions()).containsExactly(Map.entry("v2", 20));
    assertThat(jason.ratingsUnavailable()).isEqualTo(20);
    assertThat(page("jason")).contains(Reviews.RATINGS_UNAVAILABLE);
    Traffic.Tally others = Traffic.send(app.http, 20, null);
    assertThat(others.ratingsUnavailable()).isZero();
  }

  @Test
  void circuitBreakingRejectsCallsOverTheLimit() throws Exception {
    apply("details-circuit-breaker");
    app.details.latency(Duration.ofMillis(300));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        Callable<String> call =
            () -> {
              try {
                HttpResponse<String> r =
                    app.http.send(
                        HttpRequest.newBuilder(URI.create("http://details/details/0")).build(),
                        HttpResponse.BodyHandlers.ofString());
                return "status " + r.statusCode();
              } catch (MeshException e) {
                return e.reason().name();
              }
            };
        results.add(pool.submit(call));
      }
      List<String> outcomes = new ArrayList<>();
      for (Future<String> f : results) {
        outcomes.add(f.get());
      }
      assertThat(outcomes).contains("status 200").contains("CIRCUIT_OPEN");
      assertThat(outcomes).allMatch(o -> o.equals("status 200") || o.equals("CIRCUIT_OPEN"));
    } finally {
      pool.shutdownNow();
      app.details.latency(Duration.ZERO);
    }
    // one call at a time stays under the limit
    assertThat(Traffic.send(app.http, 10, null).detailsUnavailable()).isZero();
  }

  @Test
  void mirroringCopiesV1TrafficToV2WithoutTheCallerSeeingIt() throws Exception {
    apply("mirror-v1-to-v2");
    long v2Before = app.reviews("v2").calls();
    Traffic.Tally tally = Traffic.send(app.http, 100, null);
    assertThat(tally.reviewsVersions()).containsExactly(Map.entry("v1", 100));
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> assertThat(app.reviews("v2").calls() - v2Before).isGreaterThanOrEqualTo(95));
    assertThat(app.reviews("v2").calls() - v2Before).isLessThanOrEqualTo(100);
  }

  @Test
  void strictMutualTlsCarriesEveryCallAndThePoliciesLetOnlyTheRightCallersThrough()
      throws Exception {
    apply("strict-mtls");
    Snapshot before = new Snapshot();
    long deniedBefore = app.audit.denied();

    Traffic.Tally tally = Traffic.send(app.http, 200, null);
    assertThat(tally.failed()).isZero();
    assertThat(tally.reviewsVersions()).containsOnlyKeys("v1", "v2", "v3");
    assertThat(tally.reviewsUnavailable()).isZero();
    assertThat(tally.ratingsUnavailable()).isZero();
    assertThat(tally.detailsUnavailable()).isZero();
    assertThat(app.audit.denied()).isEqualTo(deniedBefore);

    // every hop went over mutual TLS, and each server saw its caller's own identity
    Snapshot after = new Snapshot();
    int starred = tally.reviewsVersions().get("v2") + tally.reviewsVersions().get("v3");
    assertThat(Snapshot.delta(before.productPage, after.productPage))
        .containsExactly(Map.entry(Identities.INGRESS_ID, 200L));
    assertThat(Snapshot.delta(before.details, after.details))
        .containsExactly(Map.entry(Identities.spiffeId("productpage"), 200L));
    assertThat(Snapshot.delta(before.reviews, after.reviews))
        .containsExactly(Map.entry(Identities.spiffeId("productpage"), 200L));
    assertThat(Snapshot.delta(before.ratings, after.ratings))
        .containsExactly(Map.entry(Identities.spiffeId("reviews"), (long) starred));

    // the edge still serves browsers in plaintext, with reviews and their stars
    List<String> pages = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      pages.add(page(null));
    }
    assertThat(pages)
        .noneMatch(
            p ->
                p.contains(ProductPage.REVIEWS_UNAVAILABLE)
                    || p.contains(Reviews.RATINGS_UNAVAILABLE))
        .anyMatch(p -> p.contains("class=\"black\"") || p.contains("class=\"red\""));

    // plaintext to a service behind the edge: no identity, no entry
    HttpResponse<String> plaintext =
        plain("http://127.0.0.1:" + app.ports.reviewsV1() + "/reviews/0");
    assertThat(plaintext.statusCode()).isEqualTo(403);
    // the caller learns that a policy denied it, not which one (the audit log names it)
    assertThat(plaintext.body())
        .isEqualTo("denied by an authorization policy")
        .doesNotContain("deny-without-identity");
    assertThatThrownBy(() -> getRatings(plaintextChannel(app.ports.ratings())))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));

    // a real identity, but not one reviews accepts
    MeshHttpClient asRatings =
        MeshHttpClient.builder(app.mesh).workloadTls(app.identities.tls("ratings")).build();
    try {
      HttpResponse<String> r =
          asRatings.send(
              HttpRequest.newBuilder(URI.create("http://reviews/reviews/0")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(403);
    } finally {
      asRatings.close();
    }
    // productpage may call reviews, but not ratings
    MeshGrpc asProductPage =
        MeshGrpc.builder(app.mesh).workloadTls(app.identities.tls("productpage")).build();
    try {
      assertThatThrownBy(() -> getRatings(asProductPage.channel("ratings")))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    } finally {
      asProductPage.close();
    }

    // the denials are in the audit trail, with the caller and the policy that decided
    List<String> denials =
        app.audit.denials().stream()
            .skip(app.audit.denials().size() - 4)
            .map(
                d ->
                    d.service()
                        + " "
                        + d.event().caller().map(Object::toString).orElse("-")
                        + " "
                        + d.event().path()
                        + " "
                        + d.event().decision().basis()
                        + " "
                        + d.event().decision().policy())
            .toList();
    assertThat(denials)
        .containsExactly(
            "reviews - /reviews/0 DENY_POLICY deny-without-identity",
            "ratings - /bookinfo.Ratings/GetRatings DENY_POLICY deny-without-identity",
            "reviews " + Identities.spiffeId("ratings") + " /reviews/0 NO_ALLOW_MATCH ",
            "ratings "
                + Identities.spiffeId("productpage")
                + " /bookinfo.Ratings/GetRatings NO_ALLOW_MATCH ");
    assertThat(app.audit.denied()).isEqualTo(deniedBefore + 4);

    // back to the default: plaintext everywhere, no policies
    apply("default");
    Snapshot plain = new Snapshot();
    assertThat(plain("http://127.0.0.1:" + app.ports.reviewsV1() + "/reviews/0").statusCode())
        .isEqualTo(200);
    assertThat(getRatings(plaintextChannel(app.ports.ratings())).ratings())
        .containsEntry("Reviewer1", 5);
    Traffic.Tally again = Traffic.send(app.http, 30, null);
    assertThat(again.failed()).isZero();
    assertThat(again.ratingsUnavailable()).isZero();
    assertThat(Snapshot.delta(plain.reviews, new Snapshot().reviews))
        .containsOnlyKeys(Callers.NONE);
    assertThat(app.audit.denied()).isEqualTo(deniedBefore + 4);
  }

  /** How many calls each service has answered, by caller. */
  private final class Snapshot {
    final Map<String, Long> productPage = app.productPage.callers();
    final Map<String, Long> details = app.details.callers();
    final Map<String, Long> reviews = new TreeMap<>();
    final Map<String, Long> ratings = app.ratings.callers();

    Snapshot() {
      app.reviews.forEach(
          r -> r.callers().forEach((caller, n) -> reviews.merge(caller, n, Long::sum)));
    }

    static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
      Map<String, Long> delta = new TreeMap<>();
      after.forEach(
          (caller, n) -> {
            long d = n - before.getOrDefault(caller, 0L);
            if (d != 0) {
              delta.put(caller, d);
            }
          });
      return delta;
    }
  }

  private static HttpResponse<String> plain(String url) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private ManagedChannel plaintextChannel(int port) {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    channels.add(channel);
    return channel;
  }

  private static RatingsApi.RatingsReply getRatings(Channel channel) {
    return ClientCalls.blockingUnaryCall(
        channel,
        RatingsApi.GET_RATINGS,
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
        new RatingsApi.RatingsRequest(0));
  }

  /** The HTML product page, fetched directly as a browser would. */
  private String page(String user) throws Exception {
    String query = user == null ? "" : "?u=" + user;
    HttpClient browser = HttpClient.newHttpClient();
    HttpResponse<String> r =
        browser.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:" + app.ports.productpage() + "/productpage" + query))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }
}
