package dev.weft.mesh.security.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.api.security.AuthorizationPolicy;
import dev.weft.mesh.api.security.AuthorizationPolicy.Action;
import dev.weft.mesh.api.security.AuthorizationPolicy.Rule;
import dev.weft.mesh.api.security.AuthorizationPolicy.Source;
import dev.weft.mesh.api.security.SpiffeId;
import dev.weft.mesh.security.AuditEvent;
import dev.weft.mesh.security.AuditSink;
import dev.weft.mesh.security.AuthorizationEnforcer;
import dev.weft.mesh.security.AuthorizationRequest;
import dev.weft.mesh.security.Authorizer;
import dev.weft.mesh.security.Decision;
import dev.weft.mesh.security.PeerIdentity;
import dev.weft.mesh.security.RequestHeaders;
import dev.weft.mesh.testing.FakeTicker;
import dev.weft.mesh.testing.certs.DevCertificateAuthority;
import dev.weft.mesh.testing.certs.DevCertificates;
import dev.weft.mesh.testing.certs.IssuedCertificate;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Istio's BookInfo authorization task on one server: only productpage may call reviews. The ratings
 * identity is denied by the Authorizer and, over HTTPS with mutual TLS, answered 403; both
 * decisions reach the audit sink and the decision counter.
 */
class HttpsAuthorizationTest {
  static final String REVIEWS = "spiffe://weft.test/ns/default/sa/reviews";
  static final String PRODUCTPAGE = "spiffe://weft.test/ns/default/sa/productpage";
  static final String RATINGS = "spiffe://weft.test/ns/default/sa/ratings";

  static final List<AuthorizationPolicy> POLICIES =
      List.of(
          AuthorizationPolicy.of(
                  "reviews-viewer", Action.ALLOW, Rule.from(Source.principals(PRODUCTPAGE)))
              .forServices("reviews"));

  @TempDir Path dir;

  @Test
  void theAuthorizerAllowsProductpageAndDeniesRatings() {
    DevCertificateAuthority ca = DevCertificates.newAuthority("weft.test CA");
    Authorizer reviews = Authorizer.forService(POLICIES, "reviews");
    Decision productpage = reviews.authorize(request(ca, PRODUCTPAGE));
    Decision ratings = reviews.authorize(request(ca, RATINGS));
    assertThat(productpage.allowed()).isTrue();
    assertThat(productpage.policy()).isEqualTo("reviews-viewer");
    assertThat(ratings.denied()).isTrue();
    assertThat(ratings.reason()).isEqualTo("denied: no ALLOW policy matched the request");
  }

  private static AuthorizationRequest request(DevCertificateAuthority ca, String caller) {
    PeerIdentity peer =
        new PeerIdentity(SpiffeId.parse(caller), ca.workload(caller).issue().certificate());
    return new AuthorizationRequest(Optional.of(peer), "/reviews/1", "GET", RequestHeaders.NONE);
  }

  @Test
  void overHttpsRatingsGets403AndBothDecisionsAreAudited() throws Exception {
    DevCertificateAuthority ca = DevCertificates.newAuthority("weft.test CA");
    TlsFiles serverFiles = TlsFiles.write(dir, "reviews", ca.workload(REVIEWS).issue(), ca);
    SSLContext serverContext =
        TlsContexts.server(
            serverFiles.keyManager(),
            ReloadingTrustManager.builder(serverFiles.bundle())
                .trustDomains(List.of("weft.test"))
                .build());

    List<AuditEvent> audited = new CopyOnWriteArrayList<>();
    FakeTicker clock = new FakeTicker(Instant.parse("2026-01-02T03:04:05Z").toEpochMilli());
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AuthorizationEnforcer enforcer =
        AuthorizationEnforcer.builder()
            .authorizer(Authorizer.forService(POLICIES, "reviews"))
            .auditSink(AuditSink.logger().andThen(audited::add))
            .ticker(clock)
            .meterRegistry(registry)
            .build();

    try (ExampleHttpsServer server = new ExampleHttpsServer(serverContext, enforcer)) {
      HttpResponse<String> fromProductpage = get(client(ca, "productpage", PRODUCTPAGE), server);
      clock.advanceMillis(1500);
      HttpResponse<String> fromRatings = get(client(ca, "ratings", RATINGS), server);

      assertThat(fromProductpage.statusCode()).isEqualTo(200);
      assertThat(fromProductpage.body()).startsWith("hello " + PRODUCTPAGE);
      assertThat(fromRatings.statusCode()).isEqualTo(403);
      assertThat(fromRatings.body())
          .isEqualTo("RBAC: access denied: denied: no ALLOW policy matched the request");
    }

    assertThat(audited).hasSize(2);
    AuditEvent allowed = audited.get(0);
    assertThat(allowed.time()).isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
    assertThat(allowed.caller()).hasValue(SpiffeId.parse(PRODUCTPAGE));
    assertThat(allowed.method()).isEqualTo("GET");
    assertThat(allowed.path()).isEqualTo("/reviews/1");
    assertThat(allowed.decision().allowed()).isTrue();
    assertThat(allowed.decision().policy()).isEqualTo("reviews-viewer");
    assertThat(allowed.decision().rule()).isZero();
    AuditEvent denied = audited.get(1);
    assertThat(denied.time()).isEqualTo(Instant.parse("2026-01-02T03:04:06.500Z"));
    assertThat(denied.caller()).hasValue(SpiffeId.parse(RATINGS));
    assertThat(denied.decision().denied()).isTrue();
    assertThat(denied.toLogLine())
        .isEqualTo(
            "DENY caller="
                + RATINGS
                + " method=GET path=/reviews/1 policy=- rule=- basis=NO_ALLOW_MATCH"
                + " time=2026-01-02T03:04:06.500Z reason=\"denied: no ALLOW policy matched the request\"");

    assertThat(
            registry
                .get(AuthorizationEnforcer.METRIC)
                .tags("action", "allow", "result", "allow")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(
            registry
                .get(AuthorizationEnforcer.METRIC)
                .tags("action", "none", "result", "deny")
                .counter()
                .count())
        .isEqualTo(1);
  }

  @Test
  void aPlaintextHttpClientGetsNoAnswerFromTheMutualTlsServer() throws Exception {
    DevCertificateAuthority ca = DevCertificates.newAuthority("weft.test CA");
    TlsFiles serverFiles = TlsFiles.write(dir, "reviews", ca.workload(REVIEWS).issue(), ca);
    SSLContext serverContext =
        TlsContexts.server(
            serverFiles.keyManager(), ReloadingTrustManager.builder(serverFiles.bundle()).build());
    List<AuditEvent> audited = new CopyOnWriteArrayList<>();
    AuthorizationEnforcer enforcer =
        AuthorizationEnforcer.builder().auditSink(audited::add).build();
    try (ExampleHttpsServer server = new ExampleHttpsServer(serverContext, enforcer)) {
      URI plain = URI.create(server.uri("/reviews/1").toString().replace("https:", "http:"));
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      assertThatThrownBy(
              () ->
                  client.send(
                      HttpRequest.newBuilder(plain).timeout(Duration.ofSeconds(5)).build(),
                      HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(IOException.class);
    }
    assertThat(audited).as("the request never reached the application").isEmpty();
  }

  @Test
  void aFailingSinkNeverFailsTheRequest() {
    AuthorizationEnforcer enforcer =
        AuthorizationEnforcer.builder()
            .authorizer(Authorizer.forService(POLICIES, "reviews"))
            .auditSink(
                event -> {
                  throw new IllegalStateException("disk full");
                })
            .build();
    Decision d =
        enforcer.enforceGrpc(Optional.empty(), "bookinfo.Reviews/Get", RequestHeaders.NONE);
    assertThat(d.denied()).isTrue();
    enforcer.update(Authorizer.allowAll());
    assertThat(
            enforcer
                .enforceGrpc(Optional.empty(), "bookinfo.Reviews/Get", RequestHeaders.NONE)
                .allowed())
        .isTrue();
  }

  private SSLContext client(DevCertificateAuthority ca, String name, String id) {
    IssuedCertificate cert = ca.workload(id).issue();
    TlsFiles files = TlsFiles.write(dir, name, cert, ca);
    return TlsContexts.client(
        files.keyManager(),
        ReloadingTrustManager.builder(files.bundle())
            .expectedServerIdentities(List.of(REVIEWS))
            .build());
  }

  private static HttpResponse<String> get(SSLContext context, ExampleHttpsServer server)
      throws Exception {
    HttpClient client =
        HttpClient.newBuilder().sslContext(context).version(HttpClient.Version.HTTP_1_1).build();
    return client.send(
        HttpRequest.newBuilder(server.uri("/reviews/1")).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
