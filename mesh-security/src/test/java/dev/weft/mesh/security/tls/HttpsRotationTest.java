package dev.weft.mesh.security.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.mesh.security.AuthorizationEnforcer;
import dev.weft.mesh.security.PeerIdentity;
import dev.weft.mesh.testing.certs.DevCertificateAuthority;
import dev.weft.mesh.testing.certs.DevCertificates;
import dev.weft.mesh.testing.certs.IssuedCertificate;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rotates the server's and the client's certificates three times while 2,000 HTTPS requests with
 * mutual TLS run, and checks that none fails and that new connections present the new certificates.
 * Rotation is driven by calling {@code reload()}, not by waiting for a watcher.
 */
class HttpsRotationTest {
  static final String REVIEWS = "spiffe://weft.test/ns/default/sa/reviews";
  static final String PRODUCTPAGE = "spiffe://weft.test/ns/default/sa/productpage";
  static final int REQUESTS = 2000;
  static final int WORKERS = 4;

  @TempDir Path dir;

  @Test
  void rotatingBothSidesDuringTwoThousandRequestsFailsNoneAndNewConnectionsUseTheNewCertificates()
      throws Exception {
    DevCertificateAuthority ca = DevCertificates.newAuthority("weft.test CA");
    IssuedCertificate serverCert = ca.workload(REVIEWS).ipAddresses("127.0.0.1").issue();
    IssuedCertificate clientCert = ca.workload(PRODUCTPAGE).issue();
    TlsFiles serverFiles = TlsFiles.write(dir, "server", serverCert, ca);
    TlsFiles clientFiles = TlsFiles.write(dir, "client", clientCert, ca);

    ReloadingKeyManager serverKeys = serverFiles.keyManager();
    ReloadingKeyManager clientKeys = clientFiles.keyManager();
    SSLContext serverContext =
        TlsContexts.server(
            serverKeys,
            ReloadingTrustManager.builder(serverFiles.bundle())
                .trustDomains(List.of("weft.test"))
                .build());
    SSLContext clientContext =
        TlsContexts.client(
            clientKeys,
            ReloadingTrustManager.builder(clientFiles.bundle())
                .expectedServerIdentities(List.of(REVIEWS))
                .build());

    AuthorizationEnforcer allowAll = AuthorizationEnforcer.builder().auditSink(event -> {}).build();
    try (ExampleHttpsServer server = new ExampleHttpsServer(serverContext, allowAll)) {
      HttpClient longLived = client(clientContext);
      AtomicInteger sent = new AtomicInteger();
      AtomicInteger ok = new AtomicInteger();
      AtomicInteger done = new AtomicInteger();
      Queue<String> failures = new ConcurrentLinkedQueue<>();
      CountDownLatch[] reached = {
        new CountDownLatch(1), new CountDownLatch(1), new CountDownLatch(1)
      };
      ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
      Future<?>[] running = new Future<?>[WORKERS];
      for (int w = 0; w < WORKERS; w++) {
        running[w] =
            workers.submit(
                () -> {
                  while (sent.getAndIncrement() < REQUESTS) {
                    try {
                      HttpResponse<String> r =
                          longLived.send(
                              HttpRequest.newBuilder(server.uri("/reviews/1")).build(),
                              HttpResponse.BodyHandlers.ofString());
                      if (r.statusCode() == 200) {
                        ok.incrementAndGet();
                      } else {
                        failures.add(r.statusCode() + " " + r.body());
                      }
                    } catch (Exception e) {
                      failures.add(e.toString());
                    }
                    int n = done.incrementAndGet();
                    if (n % (REQUESTS / 4) == 0 && n < REQUESTS) {
                      reached[n / (REQUESTS / 4) - 1].countDown();
                    }
                  }
                });
      }

      for (int rotation = 1; rotation <= 3; rotation++) {
        assertThat(reached[rotation - 1].await(60, TimeUnit.SECONDS))
            .as("progress before rotation %d", rotation)
            .isTrue();
        // Requests keep running on the long-lived client while both sides rotate.
        serverCert = ca.workload(REVIEWS).ipAddresses("127.0.0.1").issue();
        clientCert = ca.workload(PRODUCTPAGE).issue();
        serverFiles.rotate(serverCert);
        clientFiles.rotate(clientCert);
        assertThat(serverKeys.reload()).isTrue();
        assertThat(clientKeys.reload()).isTrue();

        // A new connection presents the new certificates, seen from both ends.
        HttpResponse<String> fresh =
            client(clientContext)
                .send(
                    HttpRequest.newBuilder(server.uri("/reviews/fresh")).build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(fresh.statusCode()).isEqualTo(200);
        X509Certificate presentedByServer =
            (X509Certificate) fresh.sslSession().orElseThrow().getPeerCertificates()[0];
        assertThat(presentedByServer.getSerialNumber())
            .as("server certificate after rotation %d", rotation)
            .isEqualTo(serverCert.serialNumber());
        assertThat(
                PeerIdentity.from(fresh.sslSession().orElseThrow())
                    .orElseThrow()
                    .spiffeId()
                    .toString())
            .isEqualTo(REVIEWS);
        assertThat(fresh.body())
            .as("client certificate after rotation %d", rotation)
            .isEqualTo("hello " + PRODUCTPAGE + " " + hex(clientCert.serialNumber()));
      }

      for (Future<?> f : running) {
        f.get(60, TimeUnit.SECONDS);
      }
      workers.shutdown();
      assertThat(failures).isEmpty();
      assertThat(ok.get()).isEqualTo(REQUESTS);
      assertThat(server.clientSerialsSeen)
          .contains(hex(clientCert.serialNumber()))
          .hasSizeGreaterThanOrEqualTo(4);
    }
  }

  private static HttpClient client(SSLContext context) {
    return HttpClient.newBuilder()
        .sslContext(context)
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  private static String hex(BigInteger serial) {
    return serial.toString(16);
  }
}
