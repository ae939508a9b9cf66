package dev.weft.mesh.http.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.TlsSettings;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.security.tls.WorkloadTls;
import dev.weft.mesh.testing.certs.DevCertificateAuthority;
import dev.weft.mesh.testing.certs.DevCertificates;
import dev.weft.mesh.testing.certs.IssuedCertificate;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OkHttp with {@link MeshInterceptor} and a workload TLS speaks mutual TLS to a JDK HTTPS server
 * that requires client certificates, and refuses a server whose SPIFFE ID is not the expected one.
 */
class MeshInterceptorMutualTlsTest {
  static final String REVIEWS = "spiffe://weft.test/ns/default/sa/reviews";
  static final String PRODUCTPAGE = "spiffe://weft.test/ns/default/sa/productpage";
  static final String RATINGS = "spiffe://weft.test/ns/default/sa/ratings";

  @TempDir Path dir;
  final DevCertificateAuthority ca = DevCertificates.newAuthority("weft.test CA");
  final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void closeEverything() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
  }

  private WorkloadTls tls(String name, String spiffeId) throws IOException {
    IssuedCertificate cert = ca.workload(spiffeId).ipAddresses("127.0.0.1").issue();
    Path chain = dir.resolve(name + "-chain.pem");
    Path key = dir.resolve(name + "-key.pem");
    Path caFile = dir.resolve(name + "-ca.pem");
    cert.writeTo(chain, key);
    ca.writeCertificate(caFile);
    WorkloadTls tls =
        WorkloadTls.builder()
            .identity(chain, key)
            .caCertificates(caFile)
            .trustDomains("weft.test")
            .build();
    opened.add(tls);
    return tls;
  }

  /** Answers with the subject alternative name of the client's certificate. */
  private int server(WorkloadTls serverTls) throws IOException {
    HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(
        new HttpsConfigurator(serverTls.serverContext()) {
          @Override
          public void configure(HttpsParameters params) {
            params.setSSLParameters(serverTls.serverParameters());
          }
        });
    server.createContext(
        "/",
        exchange -> {
          String caller;
          try {
            X509Certificate peer =
                (X509Certificate)
                    ((HttpsExchange) exchange).getSSLSession().getPeerCertificates()[0];
            caller = String.valueOf(peer.getSubjectAlternativeNames().iterator().next().get(1));
          } catch (SSLPeerUnverifiedException | java.security.cert.CertificateParsingException e) {
            caller = "anonymous";
          }
          byte[] body = caller.getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    opened.add(() -> server.stop(0));
    return server.getAddress().getPort();
  }

  private OkHttpClient client(int port, String expectedServer, WorkloadTls clientTls) {
    Mesh mesh =
        Mesh.builder()
            .config(
                MeshConfig.builder()
                    .cluster(
                        Cluster.builder("reviews")
                            .endpoints(Endpoint.of("127.0.0.1", port))
                            .tls(
                                new TlsSettings(
                                    TlsSettings.Mode.MUTUAL,
                                    "",
                                    "",
                                    "",
                                    List.of(expectedServer),
                                    ""))
                            .build())
                    .build())
            .build();
    opened.add(mesh);
    OkHttpClient ok =
        new OkHttpClient.Builder()
            .addInterceptor(MeshInterceptor.builder(mesh).workloadTls(clientTls).build())
            .build();
    opened.add(
        () -> {
          ok.dispatcher().executorService().shutdown();
          ok.connectionPool().evictAll();
        });
    return ok;
  }

  @Test
  void theClientPresentsTheWorkloadCertificateAndChecksTheServersIdentity() throws Exception {
    int port = server(tls("reviews", REVIEWS));
    OkHttpClient ok = client(port, REVIEWS, tls("productpage", PRODUCTPAGE));
    try (Response r =
        ok.newCall(new Request.Builder().url("http://reviews/reviews/1").build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.body().string()).isEqualTo(PRODUCTPAGE);
      assertThat(r.handshake()).isNotNull();
    }
  }

  @Test
  void aServerWithAnotherIdentityIsRefused() throws Exception {
    int port = server(tls("reviews", REVIEWS));
    OkHttpClient ok = client(port, RATINGS, tls("productpage", PRODUCTPAGE));
    assertThatThrownBy(
            () ->
                ok.newCall(new Request.Builder().url("http://reviews/reviews/1").build()).execute())
        .isInstanceOf(IOException.class);
  }
}
