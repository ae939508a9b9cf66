package dev.weft.mesh.security.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.api.config.TlsSettings;
import dev.weft.mesh.api.config.TlsSettings.Mode;
import dev.weft.mesh.security.AuthorizationEnforcer;
import dev.weft.mesh.testing.FakeScheduler;
import dev.weft.mesh.testing.FakeTicker;
import dev.weft.mesh.testing.certs.DevCertificateAuthority;
import dev.weft.mesh.testing.certs.DevCertificates;
import dev.weft.mesh.testing.certs.IssuedCertificate;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client contexts made from a cluster's {@link TlsSettings}, against a real HTTPS server. */
class WorkloadTlsTest {
  static final String REVIEWS = "spiffe://weft.test/ns/default/sa/reviews";
  static final String PRODUCTPAGE = "spiffe://weft.test/ns/default/sa/productpage";

  @TempDir Path dir;

  @Test
  void clusterSettingsDecideTheClientCertificateAndTheExpectedServer() throws Exception {
    DevCertificateAuthority ca = DevCertificates.newAuthority("weft.test CA");
    TlsFiles reviewsFiles = TlsFiles.write(dir, "reviews", ca.workload(REVIEWS).issue(), ca);
    IssuedCertificate productpageCert = ca.workload(PRODUCTPAGE).issue();
    TlsFiles productpageFiles = TlsFiles.write(dir, "productpage", productpageCert, ca);
    FakeScheduler scheduler = new FakeScheduler(new FakeTicker());

    try (WorkloadTls reviews =
            WorkloadTls.builder()
                .identity(reviewsFiles.chain(), reviewsFiles.key())
                .caCertificates(reviewsFiles.ca())
                .trustDomains("weft.test")
                .build();
        WorkloadTls productpage =
            WorkloadTls.builder()
                .identity(productpageFiles.chain(), productpageFiles.key())
                .caCertificates(productpageFiles.ca())
                .trustDomains("weft.test")
                .watch(scheduler, Duration.ofSeconds(5))
                .build();
        ExampleHttpsServer server =
            new ExampleHttpsServer(
                reviews.serverContext(),
                AuthorizationEnforcer.builder().auditSink(e -> {}).build())) {

      TlsSettings mutual = new TlsSettings(Mode.MUTUAL, "", "", "", List.of(REVIEWS), "");
      assertThat(productpage.clientContext(mutual)).isSameAs(productpage.clientContext(mutual));
      assertThat(get(productpage, mutual, server).body())
          .isEqualTo("hello " + PRODUCTPAGE + " " + productpageCert.serialNumber().toString(16));

      TlsSettings wrongServer =
          new TlsSettings(
              Mode.MUTUAL, "", "", "", List.of("spiffe://weft.test/ns/default/sa/ratings"), "");
      assertThatThrownBy(() -> get(productpage, wrongServer, server))
          .isInstanceOf(IOException.class)
          .satisfies(
              e -> assertThat(MutualTlsTest.messages(e)).contains("server identity mismatch"));

      TlsSettings simple = new TlsSettings(Mode.SIMPLE, "", "", "", List.of(), "reviews.default");
      assertThat(productpage.clientParameters(simple).getServerNames()).hasSize(1);
      assertThatThrownBy(() -> get(productpage, simple, server))
          .as("the server requires a client certificate")
          .isInstanceOf(IOException.class);

      IssuedCertificate other = ca.workload("spiffe://weft.test/ns/default/sa/other").issue();
      TlsFiles otherFiles = TlsFiles.write(dir, "other", other, ca);
      TlsSettings ownFiles =
          new TlsSettings(
              Mode.MUTUAL,
              otherFiles.chain().toString(),
              otherFiles.key().toString(),
              otherFiles.ca().toString(),
              List.of(REVIEWS),
              "");
      assertThat(get(productpage, ownFiles, server).body())
          .startsWith("hello spiffe://weft.test/ns/default/sa/other");

      // the workload's own certificate is watched on the scheduler
      IssuedCertificate rotated = ca.workload(PRODUCTPAGE).issue();
      productpageFiles.rotate(rotated);
      scheduler.advance(Duration.ofSeconds(5));
      assertThat(productpage.keyManager().current().certificate()).isEqualTo(rotated.certificate());
      assertThat(get(productpage, mutual, server).body())
          .endsWith(rotated.serialNumber().toString(16));

      assertThatThrownBy(() -> productpage.clientContext(TlsSettings.DISABLED))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void clientManagersFollowTheSettingsAndClusterFilesAreLoadedOnce() throws Exception {
    DevCertificateAuthority ca = DevCertificates.newAuthority("weft.test CA");
    TlsFiles own = TlsFiles.write(dir, "productpage", ca.workload(PRODUCTPAGE).issue(), ca);
    TlsFiles other =
        TlsFiles.write(
            dir, "other", ca.workload("spiffe://weft.test/ns/default/sa/other").issue(), ca);
    try (WorkloadTls tls =
        WorkloadTls.builder().identity(own.chain(), own.key()).caCertificates(own.ca()).build()) {
      TlsSettings mutual = new TlsSettings(Mode.MUTUAL, "", "", "", List.of(REVIEWS), "");
      assertThat(tls.clientKeyManager(mutual)).isSameAs(tls.keyManager());
      assertThat(tls.clientTrustManager(mutual).bundle()).isSameAs(tls.trustBundle());
      assertThat(tls.clientKeyManager(new TlsSettings(Mode.SIMPLE, "", "", "", List.of(), "")))
          .isNull();

      TlsSettings ownFiles =
          new TlsSettings(
              Mode.MUTUAL,
              other.chain().toString(),
              other.key().toString(),
              other.ca().toString(),
              List.of(REVIEWS),
              "");
      TlsSettings sameFilesOtherServer =
          new TlsSettings(
              Mode.MUTUAL,
              other.chain().toString(),
              other.key().toString(),
              other.ca().toString(),
              List.of("spiffe://weft.test/ns/default/sa/ratings"),
              "");
      assertThat(tls.clientKeyManager(ownFiles))
          .isNotSameAs(tls.keyManager())
          .isSameAs(tls.clientKeyManager(sameFilesOtherServer));
      assertThat(tls.clientTrustManager(ownFiles).bundle())
          .isSameAs(tls.clientTrustManager(sameFilesOtherServer).bundle());
      assertThatThrownBy(() -> tls.clientKeyManager(TlsSettings.DISABLED))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> tls.clientTrustManager(TlsSettings.DISABLED))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  private static HttpResponse<String> get(
      WorkloadTls tls, TlsSettings settings, ExampleHttpsServer server) throws Exception {
    HttpClient client =
        HttpClient.newBuilder()
            .sslContext(tls.clientContext(settings))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    return client.send(
        HttpRequest.newBuilder(server.uri("/reviews/1")).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
