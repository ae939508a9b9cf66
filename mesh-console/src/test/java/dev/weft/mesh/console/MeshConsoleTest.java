package dev.weft.mesh.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.TlsSettings;
import dev.weft.mesh.api.security.AuthorizationPolicy;
import dev.weft.mesh.api.spi.ConfigListener;
import dev.weft.mesh.api.spi.ConfigSource;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.core.StaticConfigSource;
import dev.weft.mesh.security.AuthorizationEnforcer;
import dev.weft.mesh.security.AuthorizationRequest;
import dev.weft.mesh.security.Authorizer;
import dev.weft.mesh.security.PeerIdentity;
import dev.weft.mesh.security.RequestHeaders;
import dev.weft.mesh.testing.certs.DevCertificateAuthority;
import dev.weft.mesh.testing.certs.DevCertificates;
import dev.weft.mesh.testing.certs.IssuedCertificate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeshConsoleTest {
  private ConsoleFixture fixture;
  private MeshConsole console;

  @AfterEach
  void close() {
    if (console != null) {
      console.close();
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return (List<Object>) o;
  }

  private static Map<String, Object> destination(Map<String, Object> state, String target) {
    for (Object s : list(state.get("services"))) {
      for (Object r : list(map(s).get("routes"))) {
        for (Object d : list(map(r).get("destinations"))) {
          if (target.equals(map(d).get("target")) && "reviews".equals(map(s).get("name"))) {
            return map(d);
          }
        }
      }
    }
    throw new AssertionError("no destination " + target + " in " + state.get("services"));
  }

  @Test
  void theSplitAndTheEndpointsAreThoseOfTheConfigurationInForce() {
    fixture = new ConsoleFixture();
    console = MeshConsole.builder(fixture.mesh).build();

    Map<String, Object> state = console.state();
    assertThat(map(state.get("mesh")).get("version")).isEqualTo("1");
    assertThat(destination(state, "reviews/v1"))
        .containsEntry("weight", 90)
        .containsEntry("percent", 90.0);
    assertThat(destination(state, "reviews/v2"))
        .containsEntry("weight", 10)
        .containsEntry("percent", 10.0);

    Map<String, Object> reviews = map(list(state.get("clusters")).get(0));
    assertThat(reviews.get("name")).isEqualTo("reviews");
    assertThat(list(reviews.get("endpoints")))
        .extracting(e -> map(e).get("address"), e -> map(e).get("health"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("127.0.0.1:" + fixture.v1a.port(), "healthy"),
            org.assertj.core.groups.Tuple.tuple("127.0.0.1:" + fixture.v1b.port(), "healthy"),
            org.assertj.core.groups.Tuple.tuple("127.0.0.1:" + fixture.v2.port(), "unknown"));

    fixture.source.update(fixture.config("2", 50, 50));
    state = console.state();
    assertThat(map(state.get("mesh")).get("version")).isEqualTo("2");
    assertThat(destination(state, "reviews/v2")).containsEntry("percent", 50.0);
  }

  @Test
  void goldenMetricsShowWhatRetriesHide() {
    fixture = new ConsoleFixture();
    fixture.v2.failOneIn(5);
    console = MeshConsole.builder(fixture.mesh).build();
    fixture.source.update(fixture.config("2", 0, 100));

    for (int i = 0; i < 100; i++) {
      assertThat(fixture.send("http://reviews/reviews/" + i)).isEqualTo(200);
    }

    Map<String, Object> m = map(destination(console.state(), "reviews/v2").get("metrics"));
    assertThat(m.get("calls")).isEqualTo(100L);
    // Every 5th attempt fails and is retried (on the same endpoint, v2's only one): 100 calls take
    // 124 attempts, 24 of which failed.
    assertThat(m.get("attempts")).isEqualTo(124L);
    assertThat(m.get("successRate")).isEqualTo(1.0);
    assertThat(m.get("attemptSuccessRate")).isEqualTo(0.8065);
    assertThat((Double) m.get("rps")).isPositive();
    assertThat((Double) m.get("p50Millis")).isPositive();
    assertThat((Double) m.get("p99Millis")).isGreaterThanOrEqualTo((Double) m.get("p50Millis"));
    assertThat(destination(console.state(), "reviews/v2").get("observedPercent")).isEqualTo(100.0);
  }

  @Test
  void aClusterCalledByItsOwnNameShowsAsAnImplicitService() {
    fixture = new ConsoleFixture();
    console = MeshConsole.builder(fixture.mesh).build();
    assertThat(fixture.send("http://ratings/ratings/1")).isEqualTo(200);

    Map<String, Object> ratings =
        list(console.state().get("services")).stream()
            .map(MeshConsoleTest::map)
            .filter(s -> s.get("name").equals("ratings"))
            .findFirst()
            .orElseThrow();
    assertThat(ratings).containsEntry("implicit", true);
  }

  @Test
  void aRefusedUpdateIsListedWithItsReasonAndTheVersionInForceStays() {
    fixture = new ConsoleFixture();
    console = MeshConsole.builder(fixture.mesh).build();
    assertThatThrownBy(
            () ->
                fixture.source.update(
                    fixture.config("2", 50, 50, LoadBalancing.of("no-such-policy"))))
        .isInstanceOf(InvalidConfigException.class);

    Map<String, Object> state = console.state();
    assertThat(map(state.get("mesh")).get("version")).isEqualTo("1");
    List<Object> updates = list(state.get("configUpdates"));
    assertThat(map(updates.get(0))).containsEntry("version", "2").containsEntry("accepted", false);
    assertThat((String) map(updates.get(0)).get("detail")).contains("no-such-policy");
    assertThat(map(updates.get(1))).containsEntry("version", "1").containsEntry("accepted", true);
  }

  @Test
  void canariesComeFromTheProviderAndItsFailureIsShownNotThrown() {
    fixture = new ConsoleFixture();
    // the mesh's own guards by default: none on this configuration's routes
    console = MeshConsole.builder(fixture.mesh).build();
    assertThat(map(console.state().get("canaries")))
        .containsEntry("guarded", true)
        .containsEntry("items", List.of());
    console.close();
    console = MeshConsole.builder(fixture.mesh).canaries(CanaryStatusProvider.NONE).build();
    assertThat(map(console.state().get("canaries")))
        .containsEntry("guarded", false)
        .containsEntry("items", List.of());
    console.close();

    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    console =
        MeshConsole.builder(fixture.mesh)
            .canaries(
                () ->
                    List.of(
                        new CanaryStatus(
                            "reviews",
                            "default",
                            "reviews/v1",
                            "reviews/v2",
                            "rolled back",
                            0,
                            10,
                            "error rate 20.0% vs 0.1% over 412 calls",
                            List.of(
                                new CanaryStatus.Event(t, "started", "10%"),
                                new CanaryStatus.Event(t.plusSeconds(3), "rolled-back", "0%")))))
            .build();
    Map<String, Object> c = map(list(map(console.state().get("canaries")).get("items")).get(0));
    assertThat(c).containsEntry("state", "rolled back").containsEntry("canaryPercent", 0.0);
    assertThat(list(c.get("history")))
        .extracting(e -> map(e).get("kind"))
        .containsExactly("rolled-back", "started");
    console.close();

    console =
        MeshConsole.builder(fixture.mesh)
            .canaries(
                () -> {
                  throw new IllegalStateException("guard not started");
                })
            .build();
    assertThat((String) map(console.state().get("canaries")).get("error"))
        .contains("guard not started");
    assertThat(console.state().get("services")).isNotNull();
  }

  @Test
  void byDefaultTheCanarySectionShowsTheMeshsOwnGuards() {
    MeshConfig config =
        MeshConfig.builder()
            .version("canary-1")
            .cluster(
                Cluster.builder("reviews")
                    .endpoints(
                        Endpoint.builder("127.0.0.1", 9081).labels(Map.of("version", "v1")).build(),
                        Endpoint.builder("127.0.0.1", 9082).labels(Map.of("version", "v2")).build())
                    .subsets(
                        new dev.weft.mesh.api.config.Subset("v1", Map.of("version", "v1")),
                        new dev.weft.mesh.api.config.Subset("v2", Map.of("version", "v2")))
                    .build())
            .service(
                new dev.weft.mesh.api.config.Service(
                    "reviews",
                    List.of(
                        dev.weft.mesh.api.config.Route.builder("shift")
                            .destinations(
                                dev.weft.mesh.api.config.Destination.of("reviews", "v1", 90),
                                dev.weft.mesh.api.config.Destination.of("reviews", "v2", 10))
                            .canary(
                                dev.weft.mesh.api.config.CanaryPolicy.of(
                                    "reviews/v1", "reviews/v2"))
                            .build())))
            .build();
    try (Mesh mesh = Mesh.builder().configSource(new StaticConfigSource(config)).build();
        MeshConsole c = MeshConsole.builder(mesh).build()) {
      Map<String, Object> canaries = map(c.state().get("canaries"));
      assertThat(canaries).containsEntry("guarded", true);
      Map<String, Object> item = map(list(canaries.get("items")).get(0));
      assertThat(item)
          .containsEntry("service", "reviews")
          .containsEntry("route", "shift")
          .containsEntry("canary", "reviews/v2")
          .containsEntry("state", "warming up")
          .containsEntry("canaryPercent", 10.0)
          .containsEntry("configuredPercent", 10.0);
      assertThat(list(item.get("history"))).extracting(e -> map(e).get("kind")).contains("started");
    }
  }

  @Test
  void closingTheConsoleStopsObservingCalls() {
    fixture = new ConsoleFixture();
    console = MeshConsole.builder(fixture.mesh).build();
    fixture.send("http://reviews/reviews/1");
    console.close();
    fixture.send("http://reviews/reviews/2");

    Map<String, Object> v1 = map(destination(console.state(), "reviews/v1").get("metrics"));
    Map<String, Object> v2 = map(destination(console.state(), "reviews/v2").get("metrics"));
    assertThat(((Number) v1.get("calls")).longValue() + ((Number) v2.get("calls")).longValue())
        .isEqualTo(1);
  }

  @Test
  void keyMaterialAndTokensNeverAppear(@TempDir Path dir) throws Exception {
    DevCertificateAuthority ca = DevCertificates.newAuthority("console test CA");
    IssuedCertificate client =
        ca.workload("spiffe://cluster.local/ns/default/sa/productpage").issue();
    Path chain = dir.resolve("client.pem");
    Path key = dir.resolve("client-key.pem");
    Path caFile = dir.resolve("ca.pem");
    client.writeTo(chain, key);
    ca.writeCertificate(caFile);
    String keyPem = Files.readString(key, StandardCharsets.UTF_8);
    String keyBody = keyPem.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
    String token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwcm9kdWN0cGFnZSJ9.c2lnbmF0dXJl";

    MeshConfig config =
        MeshConfig.builder()
            .version("tls-1")
            .cluster(
                Cluster.builder("reviews")
                    .endpoints(Endpoint.of("127.0.0.1", 9))
                    .tls(
                        new TlsSettings(
                            TlsSettings.Mode.MUTUAL,
                            chain.toString(),
                            key.toString(),
                            caFile.toString(),
                            List.of("spiffe://cluster.local/ns/default/sa/reviews"),
                            "reviews"))
                    .build())
            .build();
    StaticConfigSource inner = new StaticConfigSource(config);
    Map<String, Object> leakyStatus = new LinkedHashMap<>();
    leakyStatus.put("server", "xds.example:15010");
    leakyStatus.put("token", token);
    leakyStatus.put("bootstrap", keyPem);
    leakyStatus.put("callCredentials", "Bearer " + token);
    ConfigSource source =
        new ConfigSource() {
          @Override
          public void start(ConfigListener listener) {
            inner.start(listener);
          }

          @Override
          public String description() {
            return "a source that leaks";
          }

          @Override
          public Map<String, Object> status() {
            return leakyStatus;
          }

          @Override
          public void close() {
            inner.close();
          }
        };

    RecentDenials denials = RecentDenials.create("reviews", 10);
    AuthorizationEnforcer enforcer =
        AuthorizationEnforcer.builder()
            .authorizer(
                Authorizer.of(
                    List.of(
                        AuthorizationPolicy.of(
                            "deny-admin",
                            AuthorizationPolicy.Action.DENY,
                            new AuthorizationPolicy.Rule(
                                List.of(),
                                List.of(AuthorizationPolicy.Operation.paths("/admin/*")),
                                List.of())))))
            .auditSink(denials)
            .build();
    enforcer.enforce(
        new AuthorizationRequest(
            Optional.of(PeerIdentity.fromSvid(client.certificate())),
            "/admin/keys?access_token=" + token,
            "GET",
            RequestHeaders.of(Map.of("authorization", List.of("Bearer " + token)))));
    enforcer.enforce(
        new AuthorizationRequest(
            Optional.empty(), "/reviews/1", "GET", RequestHeaders.of(Map.of())));

    try (Mesh mesh = Mesh.builder().configSource(source).build();
        MeshConsole c = MeshConsole.builder(mesh).denials(denials).build()) {
      String json = c.stateJson();
      String page = new String(c.page(), StandardCharsets.UTF_8);

      for (String text : List.of(json, page)) {
        assertThat(text)
            .doesNotContain(keyBody)
            .doesNotContain("PRIVATE KEY")
            .doesNotContain(token)
            .doesNotContain("access_token")
            .doesNotContain(key.toString());
      }
      assertThat(json)
          .contains("\"tls\":\"mutual\"")
          .contains("xds.example:15010")
          .contains(Redaction.REDACTED)
          .contains("/admin/keys")
          .contains("spiffe://cluster.local/ns/default/sa/productpage")
          .contains("deny-admin");
      assertThat(denials.allowedCount()).isEqualTo(1);
      assertThat(denials.deniedCount()).isEqualTo(1);
    }
  }

  @Test
  void theDenialRingKeepsTheLatestNewestFirst() {
    RecentDenials denials = RecentDenials.create("svc", 3);
    AuthorizationEnforcer enforcer =
        AuthorizationEnforcer.builder()
            .authorizer(Authorizer.of(List.of(AuthorizationPolicy.denyAll("nothing-allowed"))))
            .auditSink(denials)
            .build();
    for (int i = 0; i < 5; i++) {
      enforcer.enforce(
          new AuthorizationRequest(Optional.empty(), "/p" + i, "GET", RequestHeaders.of(Map.of())));
    }
    assertThat(denials.recentDenials())
        .extracting(Denial::path)
        .containsExactly("/p4", "/p3", "/p2");
    assertThat(denials.deniedCount()).isEqualTo(5);
  }

  @Test
  void theWindowMustBeWholeSecondsWithinBounds() {
    fixture = new ConsoleFixture();
    assertThatThrownBy(
            () -> MeshConsole.builder(fixture.mesh).window(java.time.Duration.ofMillis(2500)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("whole seconds");
    assertThatThrownBy(
            () -> MeshConsole.builder(fixture.mesh).window(java.time.Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
