package dev.weft.mesh.security.tls;

import static dev.weft.mesh.security.tls.MutualTlsTest.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.api.config.TlsSettings;
import dev.weft.mesh.testing.certs.DevCertificateAuthority;
import dev.weft.mesh.testing.certs.DevCertificates;
import dev.weft.mesh.testing.certs.IssuedCertificate;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trust bundles per trust domain (SPIFFE federation), trust anchors that must be CAs, and peer
 * names escaped in handshake errors; real handshakes on 127.0.0.1.
 */
class TrustDomainBundlesTest {
  static final String A_REVIEWS = "spiffe://a.test/ns/default/sa/reviews";
  static final String A_PRODUCTPAGE = "spiffe://a.test/ns/default/sa/productpage";
  static final String B_PRODUCTPAGE = "spiffe://b.test/ns/default/sa/productpage";
  static final String C_PRODUCTPAGE = "spiffe://c.test/ns/default/sa/productpage";

  static DevCertificateAuthority caA;
  static DevCertificateAuthority caB;

  @TempDir Path dir;
  LoopbackTlsServer server;

  @BeforeAll
  static void mintAuthorities() {
    caA = DevCertificates.newAuthority("a.test CA");
    caB = DevCertificates.newAuthority("b.test CA");
  }

  @AfterEach
  void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private Path caFile(String name, DevCertificateAuthority... cas) throws IOException {
    StringBuilder pem = new StringBuilder();
    for (DevCertificateAuthority c : cas) {
      pem.append(c.certificatePem());
    }
    return Files.writeString(dir.resolve(name), pem);
  }

  /** A server for a.test whose bundle is {@code bundle}; returns its port. */
  private int serve(TrustBundle bundle) throws IOException {
    TlsFiles files = TlsFiles.write(dir, "server", caA.workload(A_REVIEWS).issue(), caA);
    server =
        new LoopbackTlsServer(
            TlsContexts.server(files.keyManager(), ReloadingTrustManager.builder(bundle).build()));
    return server.port();
  }

  /** Connects as {@code cert}; returns what the server saw. */
  private LoopbackTlsServer.Outcome connect(IssuedCertificate cert, int port) throws Exception {
    TlsFiles files = TlsFiles.write(dir, "client", cert, caA);
    SSLContext client =
        TlsContexts.client(
            files.keyManager(), ReloadingTrustManager.builder(files.bundle()).build());
    try (SSLSocket s =
        (SSLSocket)
            client.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(5000);
      s.startHandshake();
      new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))
          .readLine();
      s.getOutputStream().write('\n');
    } catch (IOException e) {
      // the server's outcome says why
    }
    return server.next();
  }

  @Test
  void aCaTrustedForOneTrustDomainCannotMintIdentitiesInAnother() throws Exception {
    TrustBundle bundle =
        TrustBundle.builder()
            .caCertificates("a.test", caFile("a.pem", caA))
            .caCertificates("b.test", caFile("b.pem", caB))
            .build();
    int port = serve(bundle);

    assertThat(connect(caA.workload(A_PRODUCTPAGE).issue(), port).peer())
        .map(p -> p.spiffeId().toString())
        .hasValue(A_PRODUCTPAGE);
    assertThat(connect(caB.workload(B_PRODUCTPAGE).issue(), port).peer())
        .map(p -> p.spiffeId().toString())
        .hasValue(B_PRODUCTPAGE);

    LoopbackTlsServer.Outcome forged = connect(caA.workload(B_PRODUCTPAGE).issue(), port);
    assertThat(forged.peer()).isEmpty();
    assertThat(messages(forged.error()))
        .contains("the client certificate " + B_PRODUCTPAGE)
        .contains("issued by 'CN=a.test CA,O=Weft development'")
        .contains("trusted CAs for trust domain 'b.test': [CN=b.test CA,O=Weft development]");

    LoopbackTlsServer.Outcome unknown = connect(caA.workload(C_PRODUCTPAGE).issue(), port);
    assertThat(messages(unknown.error()))
        .contains("is in trust domain 'c.test', for which the trust bundle has no CAs");
  }

  @Test
  void aTrustDomainWithItsOwnCasIsVerifiedAgainstThoseOnlyTheOthersAgainstTheSharedOnes()
      throws Exception {
    // the shared bundle holds both CAs, yet b.test identities must come from b.test's CA
    TrustBundle bundle =
        TrustBundle.builder()
            .caCertificates(caFile("shared.pem", caA, caB))
            .caCertificates("b.test", caFile("b.pem", caB))
            .build();
    int port = serve(bundle);

    assertThat(connect(caA.workload(C_PRODUCTPAGE).issue(), port).peer()).isPresent();
    assertThat(connect(caB.workload(B_PRODUCTPAGE).issue(), port).peer()).isPresent();
    assertThat(messages(connect(caA.workload(B_PRODUCTPAGE).issue(), port).error()))
        .contains("is not trusted")
        .contains("trusted CAs for trust domain 'b.test'");
  }

  @Test
  void workloadTlsTakesBundlesPerTrustDomainAndTrustsTheirDomains() throws Exception {
    TlsFiles server = TlsFiles.write(dir, "wserver", caA.workload(A_REVIEWS).issue(), caA);
    try (WorkloadTls tls =
        WorkloadTls.builder()
            .identity(server.chain(), server.key())
            .caCertificates("a.test", caFile("a.pem", caA))
            .caCertificates("b.test", caFile("b.pem", caB))
            .trustDomains("a.test")
            .build()) {
      this.server = new LoopbackTlsServer(tls.serverContext());
      assertThat(tls.trustBundle().trustDomains()).containsExactlyInAnyOrder("a.test", "b.test");
      assertThat(connect(caB.workload(B_PRODUCTPAGE).issue(), this.server.port()).peer())
          .as("b.test has CAs of its own, so it is trusted")
          .isPresent();
      assertThat(messages(connect(caA.workload(B_PRODUCTPAGE).issue(), this.server.port()).error()))
          .contains("trusted CAs for trust domain 'b.test'");
      // a client of this workload verifies servers with the same per-domain bundle
      TlsSettings mutual = new TlsSettings(TlsSettings.Mode.MUTUAL, "", "", "", List.of(), "");
      assertThat(tls.clientTrustManager(mutual).bundle()).isSameAs(tls.trustBundle());
    }
  }

  @Test
  void aBundleFileHoldingALeafCertificateIsRefusedNamingTheFileAndTheSubject() throws Exception {
    IssuedCertificate leaf = caA.workload(A_PRODUCTPAGE).issue();
    Path leafBundle = dir.resolve("leaf-bundle.pem");
    leaf.writeCertificateChain(leafBundle);

    assertThatThrownBy(() -> TrustBundle.fromFile(leafBundle))
        .isInstanceOf(TlsMaterialException.class)
        .hasMessageContaining(leafBundle.toString())
        .hasMessageContaining("certificate 'CN=productpage,O=Weft development'")
        .hasMessageContaining("is not a CA certificate");
    assertThatThrownBy(() -> TrustBundle.builder().caCertificates("a.test", leafBundle).build())
        .isInstanceOf(TlsMaterialException.class)
        .hasMessageContaining(leafBundle.toString());

    // a rotation to such a file is refused as well: the CAs in use stay, and so does their verdict
    Path bundleFile = caFile("bundle.pem", caA);
    TrustBundle bundle = TrustBundle.fromFile(bundleFile);
    int port = serve(bundle);
    Files.copy(leafBundle, bundleFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThat(bundle.reload()).isFalse();
    assertThat(bundle.lastError())
        .hasMessageContaining(bundleFile.toString())
        .hasMessageContaining("'CN=productpage,O=Weft development'");
    assertThat(connect(caA.workload(A_PRODUCTPAGE).issue(), port).peer()).isPresent();
    assertThat(connect(caB.workload(B_PRODUCTPAGE).issue(), port).error()).isNotNull();
  }

  @Test
  void peerNamesInHandshakeErrorsAreEscaped() throws Exception {
    String crafted = "evil\r\n2026-01-01 INFO forged line\u0085next\u001b[31m'red";
    DevCertificateAuthority craftedCa = DevCertificates.newAuthority(crafted);
    int port = serve(TrustBundle.fromFile(caFile("a.pem", caA)));

    LoopbackTlsServer.Outcome refused = connect(craftedCa.workload(A_PRODUCTPAGE).issue(), port);

    String message = messages(refused.error());
    assertThat(message)
        .contains(
            "issued by 'CN=evil\\r\\n2026-01-01 INFO forged line\\u0085next\\u001b[31m\\'red,")
        .doesNotContain("\r")
        .doesNotContain("\n")
        .doesNotContain("\u0085")
        .doesNotContain("\u001b");
  }
}
