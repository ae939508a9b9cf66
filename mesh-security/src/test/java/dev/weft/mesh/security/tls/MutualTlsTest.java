package dev.weft.mesh.security.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.security.PeerIdentity;
import dev.weft.mesh.testing.certs.DevCertificateAuthority;
import dev.weft.mesh.testing.certs.DevCertificates;
import dev.weft.mesh.testing.certs.IssuedCertificate;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mutual TLS over real sockets on 127.0.0.1, with certificates minted here. */
class MutualTlsTest {
  static final String REVIEWS = "spiffe://weft.test/ns/default/sa/reviews";
  static final String PRODUCTPAGE = "spiffe://weft.test/ns/default/sa/productpage";
  static final String RATINGS = "spiffe://weft.test/ns/default/sa/ratings";

  static DevCertificateAuthority ca;
  static DevCertificateAuthority otherCa;

  @TempDir Path dir;
  LoopbackTlsServer server;

  @BeforeAll
  static void mintAuthorities() {
    ca = DevCertificates.newAuthority("weft.test CA");
    otherCa = DevCertificates.newAuthority("another CA");
  }

  @AfterEach
  void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private LoopbackTlsServer startServer(
      IssuedCertificate cert, DevCertificateAuthority trusted, List<String> trustDomains)
      throws IOException {
    TlsFiles files = TlsFiles.write(dir, "server", cert, trusted);
    ReloadingTrustManager tm =
        ReloadingTrustManager.builder(files.bundle()).trustDomains(trustDomains).build();
    server = new LoopbackTlsServer(TlsContexts.server(files.keyManager(), tm));
    return server;
  }

  private SSLContext client(
      IssuedCertificate cert, DevCertificateAuthority trusted, List<String> expectedServer) {
    TlsFiles files = TlsFiles.write(dir, "client", cert, trusted);
    ReloadingTrustManager tm =
        ReloadingTrustManager.builder(files.bundle())
            .expectedServerIdentities(expectedServer)
            .build();
    return TlsContexts.client(files.keyManager(), tm);
  }

  private static SSLSession call(SSLContext context, int port) throws IOException {
    try (SSLSocket s =
        (SSLSocket)
            context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(5000);
      s.startHandshake();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      String line = in.readLine();
      if (line == null) {
        throw new IOException("the server closed the connection");
      }
      s.getOutputStream().write('\n');
      return s.getSession();
    }
  }

  static String messages(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      sb.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append(" | ");
    }
    return sb.toString();
  }

  @Test
  void mutualTlsWithTheRightIdentitiesSucceedsAndBothSidesSeeTheOther() throws Exception {
    IssuedCertificate reviews = ca.workload(REVIEWS).issue();
    IssuedCertificate productpage = ca.workload(PRODUCTPAGE).issue();
    startServer(reviews, ca, List.of("weft.test"));

    SSLSession session = call(client(productpage, ca, List.of(REVIEWS)), server.port());

    assertThat(PeerIdentity.from(session))
        .hasValueSatisfying(
            p -> {
              assertThat(p.spiffeId().toString()).isEqualTo(REVIEWS);
              assertThat(p.serialNumber()).isEqualTo(reviews.serialNumber());
            });
    LoopbackTlsServer.Outcome seen = server.next();
    assertThat(seen.error()).isNull();
    assertThat(seen.peer())
        .hasValueSatisfying(
            p -> {
              assertThat(p.spiffeId().toString()).isEqualTo(PRODUCTPAGE);
              assertThat(p.spiffeId().namespace()).hasValue("default");
              assertThat(p.serialNumber()).isEqualTo(productpage.serialNumber());
            });
  }

  @Test
  void rsaKeysAndAnIntermediateCaWork() throws Exception {
    DevCertificateAuthority intermediate = ca.intermediate("weft.test intermediate");
    IssuedCertificate reviews =
        intermediate.workload(REVIEWS).keyAlgorithm(DevCertificates.KeyAlgorithm.RSA).issue();
    assertThat(reviews.chain()).hasSize(2);
    startServer(reviews, ca, List.of("weft.test"));
    IssuedCertificate productpage =
        ca.workload(PRODUCTPAGE).keyAlgorithm(DevCertificates.KeyAlgorithm.RSA).issue();

    SSLSession session = call(client(productpage, ca, List.of(REVIEWS)), server.port());

    assertThat(session.getPeerCertificates()).hasSize(2);
    assertThat(PeerIdentity.from(session).orElseThrow().serialNumber())
        .isEqualTo(reviews.serialNumber());
    assertThat(server.next().peer().orElseThrow().serialNumber())
        .isEqualTo(productpage.serialNumber());
  }

  @Test
  void aCaAddedToTheBundleIsTrustedAfterReload() throws Exception {
    TlsFiles files = TlsFiles.write(dir, "server", ca.workload(REVIEWS).issue(), ca);
    TrustBundle bundle = files.bundle();
    server =
        new LoopbackTlsServer(
            TlsContexts.server(files.keyManager(), ReloadingTrustManager.builder(bundle).build()));
    IssuedCertificate fromNewCa = otherCa.workload(PRODUCTPAGE).issue();
    SSLContext client = client(fromNewCa, ca, List.of(REVIEWS));
    assertThatThrownBy(() -> call(client, server.port())).isInstanceOf(IOException.class);
    assertThat(server.next().error()).isNotNull();

    java.nio.file.Files.writeString(files.ca(), ca.certificatePem() + otherCa.certificatePem());
    assertThat(bundle.reload()).isTrue();

    call(client, server.port());
    assertThat(server.next().peer().orElseThrow().serialNumber())
        .isEqualTo(fromNewCa.serialNumber());
  }

  @Test
  void aSpiffeIdPrefixPatternAcceptsTheServer() throws Exception {
    startServer(ca.workload(REVIEWS).issue(), ca, List.of());
    SSLSession session =
        call(
            client(
                ca.workload(PRODUCTPAGE).issue(), ca, List.of("spiffe://weft.test/ns/default/*")),
            server.port());
    assertThat(PeerIdentity.from(session).orElseThrow().spiffeId().toString()).isEqualTo(REVIEWS);
  }

  @Test
  void aClientCertificateFromAnotherCaIsRejectedByTheServer() throws Exception {
    startServer(ca.workload(REVIEWS).issue(), ca, List.of());
    IssuedCertificate intruder = otherCa.workload(PRODUCTPAGE).issue();

    assertThatThrownBy(() -> call(client(intruder, ca, List.of(REVIEWS)), server.port()))
        .isInstanceOf(IOException.class);
    LoopbackTlsServer.Outcome seen = server.next();
    assertThat(messages(seen.error()))
        .contains("the client certificate " + PRODUCTPAGE)
        .contains("issued by 'CN=another CA,O=Weft development'")
        .contains("is not trusted")
        .contains("trusted CAs: [CN=weft.test CA,O=Weft development]");
  }

  @Test
  void aServerCertificateFromAnotherCaIsRejectedByTheClient() throws Exception {
    startServer(otherCa.workload(REVIEWS).issue(), ca, List.of());
    assertThatThrownBy(
            () ->
                call(client(ca.workload(PRODUCTPAGE).issue(), ca, List.of(REVIEWS)), server.port()))
        .satisfies(
            e ->
                assertThat(messages(e))
                    .contains("the server certificate " + REVIEWS)
                    .contains("is not trusted"));
  }

  @Test
  void aServerWithTheWrongSpiffeIdIsRejectedNamingExpectedAndActual() throws Exception {
    startServer(ca.workload(RATINGS).issue(), ca, List.of());
    assertThatThrownBy(
            () ->
                call(client(ca.workload(PRODUCTPAGE).issue(), ca, List.of(REVIEWS)), server.port()))
        .satisfies(
            e ->
                assertThat(messages(e))
                    .contains("server identity mismatch: expected [" + REVIEWS + "]")
                    .contains("the server presented " + RATINGS));
  }

  @Test
  void anExpiredClientCertificateIsRejected() throws Exception {
    startServer(ca.workload(REVIEWS).issue(), ca, List.of());
    IssuedCertificate expired = ca.workload(PRODUCTPAGE).expired().issue();
    assertThatThrownBy(() -> call(client(expired, ca, List.of(REVIEWS)), server.port()))
        .isInstanceOf(IOException.class);
    assertThat(messages(server.next().error()))
        .contains("the client certificate " + PRODUCTPAGE)
        .contains("expired at");
  }

  @Test
  void anExpiredServerCertificateIsRejected() throws Exception {
    startServer(ca.workload(REVIEWS).expired().issue(), ca, List.of());
    assertThatThrownBy(
            () ->
                call(client(ca.workload(PRODUCTPAGE).issue(), ca, List.of(REVIEWS)), server.port()))
        .satisfies(
            e ->
                assertThat(messages(e))
                    .contains("the server certificate " + REVIEWS)
                    .contains("expired at"));
  }

  @Test
  void aPeerFromAnUntrustedTrustDomainIsRejected() throws Exception {
    startServer(ca.workload(REVIEWS).issue(), ca, List.of("weft.test"));
    IssuedCertificate foreign =
        ca.workload("spiffe://elsewhere.test/ns/default/sa/productpage").issue();
    assertThatThrownBy(() -> call(client(foreign, ca, List.of()), server.port()))
        .isInstanceOf(IOException.class);
    assertThat(messages(server.next().error()))
        .contains(
            "spiffe://elsewhere.test/ns/default/sa/productpage is in trust domain 'elsewhere.test'")
        .contains("trusted trust domains: [weft.test]");
  }

  @Test
  void aCertificateWithTwoUriSansIsNotAnSvid() throws Exception {
    startServer(ca.workload(REVIEWS).issue(), ca, List.of());
    IssuedCertificate twoIds =
        ca.workload(PRODUCTPAGE).extraUriSans("spiffe://weft.test/ns/default/sa/admin").issue();
    assertThatThrownBy(() -> call(client(twoIds, ca, List.of()), server.port()))
        .isInstanceOf(IOException.class);
    assertThat(messages(server.next().error())).contains("must have exactly one URI SAN, found 2");
  }

  @Test
  void aTlsClientWithoutACertificateIsRejected() throws Exception {
    startServer(ca.workload(REVIEWS).issue(), ca, List.of());
    TlsFiles files = TlsFiles.write(dir, "anon", ca.workload(PRODUCTPAGE).issue(), ca);
    SSLContext noCertificate =
        TlsContexts.client(null, ReloadingTrustManager.builder(files.bundle()).build());
    assertThatThrownBy(() -> call(noCertificate, server.port())).isInstanceOf(IOException.class);
    assertThat(messages(server.next().error()))
        .containsAnyOf("Empty client certificate chain", "the client presented no certificate");
  }

  @Test
  void aPlaintextClientAgainstTheMutualTlsServerFails() throws Exception {
    startServer(ca.workload(REVIEWS).issue(), ca, List.of());
    try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      plain.setSoTimeout(5000);
      plain
          .getOutputStream()
          .write("GET / HTTP/1.1\r\nHost: reviews\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      plain.getOutputStream().flush();
      // The server answers with a TLS alert, never with a line of text, and closes.
      byte[] reply = plain.getInputStream().readAllBytes();
      assertThat(new String(reply, StandardCharsets.ISO_8859_1)).doesNotContain("hello");
    } catch (IOException expected) {
      // a reset is as good as a close
    }
    assertThat(messages(server.next().error())).contains("Unsupported or unrecognized SSL message");
  }
}
