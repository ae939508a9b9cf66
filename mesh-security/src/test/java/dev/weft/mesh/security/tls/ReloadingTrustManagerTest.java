package dev.weft.mesh.security.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.testing.FakeTicker;
import dev.weft.mesh.testing.certs.DevCertificateAuthority;
import dev.weft.mesh.testing.certs.DevCertificates;
import dev.weft.mesh.testing.certs.IssuedCertificate;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trust manager's checks, called directly, with time from a fake clock. */
class ReloadingTrustManagerTest {
  static final String REVIEWS = "spiffe://weft.test/ns/default/sa/reviews";
  static DevCertificateAuthority ca;

  @TempDir Path dir;

  @BeforeAll
  static void mint() {
    ca = DevCertificates.newAuthority("weft.test CA");
  }

  private TrustBundle bundle() throws Exception {
    Path file = dir.resolve("ca.pem");
    ca.writeCertificate(file);
    return TrustBundle.fromFile(file);
  }

  private static X509Certificate[] chain(IssuedCertificate c) {
    return c.chain().toArray(X509Certificate[]::new);
  }

  @Test
  void validityIsJudgedByTheInjectedClock() throws Exception {
    Instant start = Instant.now().plus(Duration.ofHours(1));
    IssuedCertificate later =
        ca.workload(REVIEWS).validity(start, start.plus(Duration.ofHours(1))).issue();
    FakeTicker clock = new FakeTicker(start.minus(Duration.ofMinutes(5)).toEpochMilli());
    ReloadingTrustManager tm = ReloadingTrustManager.builder(bundle()).ticker(clock).build();

    assertThatThrownBy(() -> tm.checkClientTrusted(chain(later), "EC"))
        .isInstanceOf(CertificateException.class)
        .hasMessageContaining(
            "is not valid until " + start.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    clock.advance(Duration.ofMinutes(10));
    assertThatCode(() -> tm.checkClientTrusted(chain(later), "EC")).doesNotThrowAnyException();
    clock.advance(Duration.ofHours(1));
    assertThatThrownBy(() -> tm.checkServerTrusted(chain(later), "EC"))
        .hasMessageContaining("the server certificate " + REVIEWS)
        .hasMessageContaining("expired at");
  }

  @Test
  void expectedIdentitiesMaySpellDnsNamesAndSpiffePrefixes() throws Exception {
    IssuedCertificate reviews = ca.workload(REVIEWS).dnsNames("reviews.default.svc").issue();
    TrustBundle bundle = bundle();
    assertThatCode(
            () ->
                ReloadingTrustManager.builder(bundle)
                    .expectedServerIdentities(List.of("reviews.default.svc"))
                    .build()
                    .checkServerTrusted(chain(reviews), "EC"))
        .doesNotThrowAnyException();
    assertThatCode(
            () ->
                ReloadingTrustManager.builder(bundle)
                    .expectedServerIdentities(List.of("spiffe://weft.test/ns/default/*"))
                    .build()
                    .checkServerTrusted(chain(reviews), "EC"))
        .doesNotThrowAnyException();
    assertThatThrownBy(
            () ->
                ReloadingTrustManager.builder(bundle)
                    .expectedServerIdentities(List.of("spiffe://weft.test/ns/prod/*"))
                    .build()
                    .checkServerTrusted(chain(reviews), "EC"))
        .hasMessageContaining(
            "expected [spiffe://weft.test/ns/prod/*] but the server presented " + REVIEWS);
    // expected identities apply to servers only
    assertThatCode(
            () ->
                ReloadingTrustManager.builder(bundle)
                    .expectedServerIdentities(List.of("spiffe://weft.test/ns/prod/*"))
                    .build()
                    .checkClientTrusted(chain(reviews), "EC"))
        .doesNotThrowAnyException();
  }

  @Test
  void rejectsMalformedExpectationsAndTrustDomainsWhenBuilt() throws Exception {
    TrustBundle bundle = bundle();
    assertThatThrownBy(
            () ->
                ReloadingTrustManager.builder(bundle)
                    .expectedServerIdentities(List.of("spiffe://weft.test/ns/*/sa/x")))
        .hasMessageContaining("wildcards are supported only as a SPIFFE ID ending in '/*'");
    assertThatThrownBy(
            () ->
                ReloadingTrustManager.builder(bundle)
                    .expectedServerIdentities(List.of("spiffe://weft.test/ns/de*")))
        .hasMessageContaining("may only end in '/*'");
    assertThatThrownBy(
            () ->
                ReloadingTrustManager.builder(bundle)
                    .expectedServerIdentities(List.of("*.default.svc")))
        .hasMessageContaining("wildcards are supported only as a SPIFFE ID ending in '/*'");
    assertThatThrownBy(
            () ->
                ReloadingTrustManager.builder(bundle)
                    .expectedServerIdentities(List.of("spiffe://Weft/x")))
        .hasMessageContaining("not a valid SPIFFE ID");
    assertThatThrownBy(
            () -> ReloadingTrustManager.builder(bundle).trustDomains(List.of("weft.test:443")))
        .hasMessageContaining("not a valid SPIFFE trust domain");
  }

  @Test
  void aCaCertificateIsNotAWorkloadIdentity() throws Exception {
    ReloadingTrustManager tm = ReloadingTrustManager.builder(bundle()).build();
    assertThatThrownBy(() -> tm.checkClientTrusted(new X509Certificate[] {ca.certificate()}, "EC"))
        .hasMessageContaining("is not an X.509-SVID: it must have exactly one URI SAN, found 0");
    assertThatThrownBy(() -> tm.checkClientTrusted(new X509Certificate[0], "EC"))
        .hasMessageContaining("the client presented no certificate");
    assertThat(tm.getAcceptedIssuers()).containsExactly(ca.certificate());
  }
}
