package dev.weft.samples.bookinfo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.discovery.file.FileConfigSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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

  @BeforeAll
  void start() throws IOException {
    Scenarios.Ports ports = freePorts();
    file = dir.resolve("mesh.yaml");
    Scenarios.write("default", ports, file);
    app = new BookInfoApp(ports, FileConfigSource.builder(file).pollInterval(Duration.ofMillis(200)).build(),
        new SimpleMeterRegistry(), Duration.ZERO);
  }

  @AfterAll
  void stop() {
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
    assertThat(Traffic.send(app.http, 20, "jason").reviewsVersions()).containsExactly(Map.entry("v1", 20));
  }

  @Test
  void jasonAlwaysSeesV2AndEveryoneElseV1() throws Exception {
    apply("jason-v2");
    assertThat(Traffic.send(app.http, 100, "jason").reviewsVersions()).containsExactly(Map.entry("v2", 100));
    assertThat(Traffic.send(app.http, 100, null).reviewsVersions()).containsExactly(Map.entry("v1", 100));
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
    assertThat(Traffic.send(app.http, 100, null).reviewsVersions()).containsExactly(Map.entry("v3", 100));
    assertThat(page(null)).contains("class=\"red\"");
  }

  @Test
  void aSevenSecondDelayOnRatingsFitsInTheTenSecondTimeout() throws Exception {
    apply("ratings-delay");
    long start = System.nanoTime();
    Traffic.Tally jason = Traffic.send(app.http, 1, "jason");
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(7)).isLessThan(Duration.ofSeconds(10));
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
    assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(450)).isLessThan(Duration.ofMillis(1900));
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
        Callable<String> call = () -> {
          try {
            HttpResponse<String> r = app.http.send(HttpRequest.newBuilder(URI.create("http://details/details/0")).build(),
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
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(app.reviews("v2").calls() - v2Before).isGreaterThanOrEqualTo(95));
    assertThat(app.reviews("v2").calls() - v2Before).isLessThanOrEqualTo(100);
  }

  /** The HTML product page, fetched directly as a browser would. */
  private String page(String user) throws Exception {
    String query = user == null ? "" : "?u=" + user;
    HttpClient browser = HttpClient.newHttpClient();
    HttpResponse<String> r = browser.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.ports.productpage() + "/productpage" + query)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  private static Scenarios.Ports freePorts() throws IOException {
    int[] ports = new int[6];
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < ports.length; i++) {
        ServerSocket s = new ServerSocket(0);
        sockets.add(s);
        ports[i] = s.getLocalPort();
      }
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
    return new Scenarios.Ports(ports[0], ports[1], ports[2], ports[3], ports[4], ports[5]);
  }
}
