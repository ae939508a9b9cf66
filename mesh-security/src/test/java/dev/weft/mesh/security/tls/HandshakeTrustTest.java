package dev.weft.mesh.security.tls;

import static dev.weft.mesh.security.tls.MutualTlsTest.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.testing.FakeTicker;
import dev.weft.mesh.testing.certs.DevCertificateAuthority;
import dev.weft.mesh.testing.certs.DevCertificates;
import dev.weft.mesh.testing.certs.IssuedCertificate;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the handshake establishes is checked in full on every new connection: resumed sessions
 * cannot skip the checks (expiry at the injected clock, the current bundle), and per trust domain
 * bundles confine each CA to its trust domain. Real handshakes on 127.0.0.1.
 */
class HandshakeTrustTest {
  static final String REVIEWS = "spiffe://weft.test/ns/default/sa/reviews";
  static final String PRODUCTPAGE = "spiffe://weft.test/ns/default/sa/productpage";

  static DevCertificateAuthority ca;
  static DevCertificateAuthority otherCa;

  @TempDir Path dir;
  FakeTicker ticker;
  Instant now;
  LoopbackTlsServer server;

  @BeforeAll
  static void mintAuthorities() {
    ca = DevCertificates.newAuthority("weft.test CA");
    otherCa = DevCertificates.newAuthority("other CA");
  }

  @BeforeEach
  void clock() {
    now = Instant.ofEpochMilli(System.currentTimeMillis());
    ticker = new FakeTicker(now.toEpochMilli());
  }

  @AfterEach
  void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private IssuedCertificate issue(DevCertificateAuthority by, String spiffeId) {
    return by.workload(spiffeId)
        .validity(now.minus(Duration.ofMinutes(1)), now.plus(Duration.ofHours(1)))
        .issue();
  }

  /** Counts the checks a trust manager is asked for: each is a full handshake. */
  static final class Counting extends X509ExtendedTrustManager {
    final X509ExtendedTrustManager delegate;
    final AtomicInteger checks = new AtomicInteger();

    Counting(X509ExtendedTrustManager delegate) {
      this.delegate = delegate;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      checks.incrementAndGet();
      delegate.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      checks.incrementAndGet();
      delegate.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      checks.incrementAndGet();
      delegate.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      checks.incrementAndGet();
      delegate.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      checks.incrementAndGet();
      delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      checks.incrementAndGet();
      delegate.checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return delegate.getAcceptedIssuers();
    }
  }

  private static X509ExtendedTrustManager jdkTrustManager(DevCertificateAuthority trusted)
      throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    store.setCertificateEntry("ca", trusted.rootCertificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(store);
    return (X509ExtendedTrustManager) tmf.getTrustManagers()[0];
  }

  private ReloadingTrustManager weft(TrustBundle bundle) {
    return ReloadingTrustManager.builder(bundle).trustDomains(List.of()).ticker(ticker).build();
  }

  private static SSLSession call(SSLContext context, int port) throws IOException {
    try (SSLSocket s =
        (SSLSocket)
            context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(5000);
      s.startHandshake();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      // reading also takes in the session tickets the server sends after the handshake
      String line = in.readLine();
      if (line == null) {
        throw new IOException("the server closed the connection");
      }
      s.getOutputStream().write('\n');
      return s.getSession();
    }
  }

  @Test
  void withTheJdksTrustManagerTheSecondConnectionResumesWithoutAnyCheck() throws Exception {
    // the control experiment: shows that the checks counted below do detect resumption
    TlsFiles serverFiles = TlsFiles.write(dir, "server", issue(ca, REVIEWS), ca);
    TlsFiles clientFiles = TlsFiles.write(dir, "client", issue(ca, PRODUCTPAGE), ca);
    Counting serverChecks = new Counting(jdkTrustManager(ca));
    server = new LoopbackTlsServer(TlsContexts.server(serverFiles.keyManager(), serverChecks));
    SSLContext client = TlsContexts.client(clientFiles.keyManager(), jdkTrustManager(ca));

    call(client, server.port());
    assertThat(server.next().error()).isNull();
    call(client, server.port());
    assertThat(server.next().error()).isNull();

    assertThat(serverChecks.checks).as("the JDK resumed the session").hasValue(1);
  }

  @Test
  void everyConnectionIsAFullHandshakeVerifiedByWeftsTrustManagerOnBothSides() throws Exception {
    TlsFiles serverFiles = TlsFiles.write(dir, "server", issue(ca, REVIEWS), ca);
    TlsFiles clientFiles = TlsFiles.write(dir, "client", issue(ca, PRODUCTPAGE), ca);
    Counting serverChecks = new Counting(weft(serverFiles.bundle()));
    Counting clientChecks = new Counting(weft(clientFiles.bundle()));
    server = new LoopbackTlsServer(TlsContexts.server(serverFiles.keyManager(), serverChecks));
    SSLContext client = TlsContexts.client(clientFiles.keyManager(), clientChecks);

    SSLSession first = call(client, server.port());
    assertThat(server.next().error()).isNull();
    SSLSession second = call(client, server.port());
    assertThat(server.next().error()).isNull();
    SSLSession third = call(client, server.port());
    assertThat(server.next().error()).isNull();

    assertThat(serverChecks.checks).as("client certificate verified per connection").hasValue(3);
    assertThat(clientChecks.checks).as("server certificate verified per connection").hasValue(3);
    assertThat(List.of(first.getId(), second.getId(), third.getId()))
        .as("three distinct sessions")
        .doesNotHaveDuplicates();
    assertThat(client.getClientSessionContext().getIds().hasMoreElements())
        .as("the client cached no session to resume")
        .isFalse();
  }

  @Test
  void aClientReconnectingAfterItsCertificateExpiredCannotContinueOnItsOldSession()
      throws Exception {
    TlsFiles serverFiles = TlsFiles.write(dir, "server", issue(ca, REVIEWS), ca);
    IssuedCertificate clientCert =
        ca.workload(PRODUCTPAGE)
            .validity(now.minus(Duration.ofMinutes(1)), now.plus(Duration.ofMinutes(10)))
            .issue();
    TlsFiles clientFiles = TlsFiles.write(dir, "client", clientCert, ca);
    server =
        new LoopbackTlsServer(
            TlsContexts.server(serverFiles.keyManager(), weft(serverFiles.bundle())));
    // the client checks the server with the JDK's trust manager, which resumes what it can: only
    // the server's trust manager stands between the expired certificate and a resumed session
    SSLContext client = TlsContexts.client(clientFiles.keyManager(), jdkTrustManager(ca));

    call(client, server.port());
    assertThat(server.next().error()).isNull();

    ticker.advance(Duration.ofMinutes(11));
    assertThatThrownBy(() -> call(client, server.port())).isInstanceOf(IOException.class);
    LoopbackTlsServer.Outcome refused = server.next();
    assertThat(refused.error()).isNotNull();
    assertThat(messages(refused.error()))
        .contains("the client certificate " + PRODUCTPAGE)
        .contains("expired at " + clientCert.certificate().getNotAfter().toInstant());
  }

  @Test
  void aPeerOfACaRemovedFromTheBundleCannotResume() throws Exception {
    TlsFiles serverFiles = TlsFiles.write(dir, "server", issue(ca, REVIEWS), ca);
    Path bundleFile = dir.resolve("bundle.pem");
    Files.writeString(bundleFile, ca.certificatePem() + otherCa.certificatePem());
    TrustBundle bundle = TrustBundle.fromFile(bundleFile);
    server = new LoopbackTlsServer(TlsContexts.server(serverFiles.keyManager(), weft(bundle)));
    TlsFiles clientFiles = TlsFiles.write(dir, "client", issue(otherCa, PRODUCTPAGE), ca);
    SSLContext client = TlsContexts.client(clientFiles.keyManager(), jdkTrustManager(ca));

    call(client, server.port());
    assertThat(server.next().error()).isNull();

    Files.writeString(bundleFile, ca.certificatePem()); // the rotation drops the other CA
    assertThat(bundle.reload()).isTrue();
    assertThatThrownBy(() -> call(client, server.port())).isInstanceOf(IOException.class);
    LoopbackTlsServer.Outcome refused = server.next();
    assertThat(messages(refused.error()))
        .contains("issued by 'CN=other CA,O=Weft development'")
        .contains("is not trusted");
  }
}
