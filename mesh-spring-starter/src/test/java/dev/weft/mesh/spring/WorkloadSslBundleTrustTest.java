package dev.weft.mesh.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.weft.mesh.api.config.TlsSettings;
import dev.weft.mesh.security.PeerIdentity;
import dev.weft.mesh.security.tls.ReloadingTrustManager;
import dev.weft.mesh.security.tls.WorkloadTls;
import dev.weft.mesh.testing.certs.DevCertificateAuthority;
import dev.weft.mesh.testing.certs.DevCertificates;
import dev.weft.mesh.testing.certs.IssuedCertificate;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring Boot server on the workload's SSL bundle ({@code server.ssl.bundle=weft}, embedded
 * Tomcat on a random port, client-auth=need) checks client certificates at the handshake as Weft's
 * own servers do, even for certificates a CA of the bundle signed, and still after the bundle is
 * updated.
 */
class WorkloadSslBundleTrustTest {
  private static final String REVIEWS = "spiffe://weft.test/ns/default/sa/reviews";
  private static final String PRODUCTPAGE = "spiffe://weft.test/ns/default/sa/productpage";

  static final AtomicInteger requests = new AtomicInteger();

  @TempDir Path dir;
  private DevCertificateAuthority ca;
  private Path caFile;
  private ConfigurableApplicationContext app;

  @BeforeEach
  void start() throws IOException {
    requests.set(0);
    ca = DevCertificates.newAuthority("weft.test CA");
    caFile = Files.writeString(dir.resolve("root-cert.pem"), ca.certificatePem());
    write("reviews", ca.workload(REVIEWS).ipAddresses("127.0.0.1").issue());
    Path config = Files.writeString(dir.resolve("mesh.yaml"), "version: \"1\"\n");
    app =
        new SpringApplicationBuilder(BundleApp.class)
            .properties(
                "server.port=0",
                "server.address=127.0.0.1",
                "server.ssl.bundle=weft",
                "server.ssl.client-auth=need",
                "weft.mesh.config.file=" + config,
                "weft.mesh.security.certificate-chain=" + dir.resolve("reviews/cert-chain.pem"),
                "weft.mesh.security.private-key=" + dir.resolve("reviews/key.pem"),
                "weft.mesh.security.ca-certificates=" + caFile,
                "weft.mesh.security.trust-domains=weft.test",
                "weft.mesh.security.refresh-interval=200ms",
                "spring.main.banner-mode=off")
            .run();
  }

  @AfterEach
  void stop() {
    if (app != null) {
      app.close();
    }
  }

  private void write(String name, IssuedCertificate cert) throws IOException {
    Path d = Files.createDirectories(dir.resolve(name));
    cert.writeTo(d.resolve("cert-chain.pem"), d.resolve("key.pem"));
  }

  private int port() {
    return ((WebServerApplicationContext) app).getWebServer().getPort();
  }

  /** A GET over a fresh connection presenting {@code cert}; the client trusts only {@link #ca}. */
  private HttpResponse<String> get(String name, IssuedCertificate cert) throws Exception {
    write(name, cert);
    Path d = dir.resolve(name);
    Path clientCa = Files.writeString(dir.resolve(name + "-ca.pem"), ca.certificatePem());
    try (WorkloadTls tls =
        WorkloadTls.builder()
            .identity(d.resolve("cert-chain.pem"), d.resolve("key.pem"))
            .caCertificates(clientCa)
            .build()) {
      TlsSettings settings =
          new TlsSettings(TlsSettings.Mode.MUTUAL, "", "", "", List.of(REVIEWS), "");
      HttpClient client =
          HttpClient.newBuilder()
              .sslContext(tls.clientContext(settings))
              .sslParameters(tls.clientParameters(settings))
              .build();
      return client.send(
          HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port() + "/caller")).build(),
          HttpResponse.BodyHandlers.ofString());
    }
  }

  @Test
  void theBundlesTrustManagersAreWeftsOwn() {
    SslBundle bundle = app.getBean(SslBundles.class).getBundle("weft");
    assertThat(bundle.getManagers().getTrustManagers())
        .singleElement()
        .isInstanceOf(ReloadingTrustManager.class);
  }

  @Test
  void theRightIdentityPassesOthersAreRefusedAtTheHandshakeThoughTheirCaIsInTheBundle()
      throws Exception {
    HttpResponse<String> ok = get("productpage", ca.workload(PRODUCTPAGE).issue());
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo(PRODUCTPAGE);
    assertThat(requests).hasValue(1);

    // signed by the bundle's CA, but in a trust domain this workload does not accept
    assertThatThrownBy(
            () ->
                get("other", ca.workload("spiffe://other.test/ns/default/sa/productpage").issue()))
        .isInstanceOf(IOException.class);
    // signed by the bundle's CA, but not an X.509-SVID: two URI SANs
    assertThatThrownBy(
            () ->
                get(
                    "two-uris",
                    ca.workload(PRODUCTPAGE)
                        .extraUriSans("spiffe://weft.test/ns/default/sa/ratings")
                        .issue()))
        .isInstanceOf(IOException.class);
    assertThat(requests).as("no refused client reached the application").hasValue(1);
  }

  @Test
  void afterTheBundleIsUpdatedTomcatStillVerifiesWithWeftsTrustManager() throws Exception {
    DevCertificateAuthority newCa = DevCertificates.newAuthority("new weft.test CA");
    Files.writeString(caFile, ca.certificatePem() + newCa.certificatePem());
    // the update reached Tomcat once a client of the new CA gets through
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(get("new-ca", newCa.workload(PRODUCTPAGE).issue()).statusCode())
                    .isEqualTo(200));

    assertThatThrownBy(
            () ->
                get(
                    "two-uris",
                    newCa
                        .workload(PRODUCTPAGE)
                        .extraUriSans("spiffe://weft.test/ns/default/sa/ratings")
                        .issue()))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(
            () ->
                get(
                    "other",
                    newCa.workload("spiffe://other.test/ns/default/sa/productpage").issue()))
        .isInstanceOf(IOException.class);
  }

  /** A servlet application of one controller, configured only by the starter. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(Caller.class)
  static class BundleApp {}

  /** Answers with the SPIFFE ID of the client certificate Tomcat accepted, and counts requests. */
  @RestController
  static class Caller {
    @GetMapping("/caller")
    String caller(HttpServletRequest request) {
      requests.incrementAndGet();
      Certificate[] chain =
          (Certificate[]) request.getAttribute("jakarta.servlet.request.X509Certificate");
      return PeerIdentity.from(chain).map(p -> p.spiffeId().toString()).orElse("none");
    }
  }
}
