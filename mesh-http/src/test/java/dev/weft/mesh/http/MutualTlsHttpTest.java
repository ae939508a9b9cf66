package dev.weft.mesh.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.TlsSettings;
import dev.weft.mesh.api.security.AuthorizationPolicy;
import dev.weft.mesh.api.security.AuthorizationPolicy.Action;
import dev.weft.mesh.api.security.AuthorizationPolicy.Rule;
import dev.weft.mesh.api.security.AuthorizationPolicy.Source;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.http.server.MeshHttpServerFilter;
import dev.weft.mesh.http.server.MeshServletFilter;
import dev.weft.mesh.security.AuditEvent;
import dev.weft.mesh.security.AuthorizationEnforcer;
import dev.weft.mesh.security.Authorizer;
import dev.weft.mesh.security.tls.WorkloadTls;
import dev.weft.mesh.testing.certs.DevCertificateAuthority;
import dev.weft.mesh.testing.certs.DevCertificates;
import dev.weft.mesh.testing.certs.IssuedCertificate;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.net.ssl.SSLHandshakeException;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS and authorization over HTTP: {@link MeshHttpClient} with a workload's certificates
 * calls a JDK {@code HttpsServer} with {@link MeshHttpServerFilter} and an embedded Tomcat with
 * {@link MeshServletFilter}, on loopback, with certificates minted in the test.
 */
class MutualTlsHttpTest {
  static final String REVIEWS = "spiffe://weft.test/ns/default/sa/reviews";
  static final String PRODUCTPAGE = "spiffe://weft.test/ns/default/sa/productpage";
  static final String RATINGS = "spiffe://weft.test/ns/default/sa/ratings";
  static final TlsSettings TO_REVIEWS =
      new TlsSettings(TlsSettings.Mode.MUTUAL, "", "", "", List.of(REVIEWS), "");

  @TempDir Path dir;
  final DevCertificateAuthority ca = DevCertificates.newAuthority("weft.test CA");
  final Queue<AuditEvent> audit = new ConcurrentLinkedQueue<>();
  final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void closeEverything() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
  }

  record Files(Path chain, Path key, Path ca) {}

  private Files write(String name, IssuedCertificate cert) {
    Files f =
        new Files(
            dir.resolve(name + "-chain.pem"),
            dir.resolve(name + "-key.pem"),
            dir.resolve(name + "-ca.pem"));
    try {
      cert.writeTo(f.chain(), f.key());
      ca.writeCertificate(f.ca());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return f;
  }

  private WorkloadTls tls(Files f) {
    WorkloadTls tls =
        WorkloadTls.builder()
            .identity(f.chain(), f.key())
            .caCertificates(f.ca())
            .trustDomains("weft.test")
            .build();
    opened.add(tls);
    return tls;
  }

  private WorkloadTls tls(String name, String spiffeId) {
    return tls(write(name, ca.workload(spiffeId).ipAddresses("127.0.0.1").issue()));
  }

  private AuthorizationEnforcer onlyProductpage() {
    return AuthorizationEnforcer.builder()
        .authorizer(
            Authorizer.forService(
                List.of(
                    AuthorizationPolicy.of(
                            "reviews-viewer",
                            Action.ALLOW,
                            Rule.from(Source.principals(PRODUCTPAGE)))
                        .forServices("reviews")),
                "reviews"))
        .auditSink(audit::add)
        .build();
  }

  /** A JDK HttpsServer requiring client certificates, answering with the caller's SPIFFE ID. */
  private int jdkServer(WorkloadTls serverTls, AuthorizationEnforcer enforcer) throws IOException {
    HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(
        new HttpsConfigurator(serverTls.serverContext()) {
          @Override
          public void configure(HttpsParameters params) {
            params.setSSLParameters(serverTls.serverParameters());
          }
        });
    HttpContext ctx =
        server.createContext(
            "/",
            exchange -> {
              byte[] body =
                  MeshHttpServerFilter.peerIdentity(exchange)
                      .map(p -> p.spiffeId().toString())
                      .orElse("anonymous")
                      .getBytes(StandardCharsets.UTF_8);
              exchange.sendResponseHeaders(200, body.length);
              try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
              }
            });
    MeshHttpServerFilter.Builder filter = MeshHttpServerFilter.builder("reviews");
    if (enforcer != null) {
      filter.authorization(enforcer);
    }
    ctx.getFilters().add(filter.build());
    server.start();
    opened.add(() -> server.stop(0));
    return server.getAddress().getPort();
  }

  private MeshHttpClient client(int port, WorkloadTls clientTls) {
    Mesh mesh =
        Mesh.builder()
            .config(
                MeshConfig.builder()
                    .cluster(
                        Cluster.builder("reviews")
                            .endpoints(Endpoint.of("127.0.0.1", port))
                            .tls(TO_REVIEWS)
                            .build())
                    .build())
            .build();
    opened.add(mesh);
    MeshHttpClient client = MeshHttpClient.builder(mesh).workloadTls(clientTls).build();
    opened.add(client);
    return client;
  }

  private static HttpResponse<String> get(MeshHttpClient client) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://reviews/reviews/1")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private void assertOnlyProductpageWasAllowed() {
    assertThat(audit)
        .extracting(
            a -> a.caller().orElseThrow().toString(), a -> a.decision().allowed(), AuditEvent::path)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(PRODUCTPAGE, true, "/reviews/1"),
            org.assertj.core.groups.Tuple.tuple(RATINGS, false, "/reviews/1"));
  }

  @Test
  void theJdkServerFilterAllowsProductpageAndAnswersRatings403() throws Exception {
    int port = jdkServer(tls("reviews", REVIEWS), onlyProductpage());

    HttpResponse<String> allowed = get(client(port, tls("productpage", PRODUCTPAGE)));
    assertThat(allowed.statusCode()).isEqualTo(200);
    assertThat(allowed.body()).isEqualTo(PRODUCTPAGE);

    HttpResponse<String> denied = get(client(port, tls("ratings", RATINGS)));
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(denied.body()).contains("no ALLOW policy matched");
    assertOnlyProductpageWasAllowed();
  }

  @Test
  void aServerWithTheWrongSpiffeIdFailsTheHandshake() throws Exception {
    int port = jdkServer(tls("ratings-server", RATINGS), null);
    MeshHttpClient client = client(port, tls("productpage", PRODUCTPAGE));
    assertThatThrownBy(() -> get(client))
        .isInstanceOf(SSLHandshakeException.class)
        .hasMessageContaining("server identity mismatch");
  }

  @Test
  void theServletFilterAllowsProductpageAndAnswersRatings403() throws Exception {
    Files reviews = write("reviews", ca.workload(REVIEWS).ipAddresses("127.0.0.1").issue());
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(dir.resolve("tomcat").toString());
    Connector https = new Connector();
    https.setPort(0);
    https.setProperty("address", "127.0.0.1");
    https.setSecure(true);
    https.setScheme("https");
    https.setProperty("SSLEnabled", "true");
    SSLHostConfig ssl = new SSLHostConfig();
    SSLHostConfigCertificate certificate =
        new SSLHostConfigCertificate(ssl, SSLHostConfigCertificate.Type.UNDEFINED);
    certificate.setCertificateFile(reviews.chain().toString());
    certificate.setCertificateKeyFile(reviews.key().toString());
    ssl.addCertificate(certificate);
    // Tomcat's JSSE connector takes trusted CAs as a key store.
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("weft-test-ca", ca.rootCertificate());
    ssl.setTrustStore(trusted);
    ssl.setCertificateVerification("required");
    https.addSslHostConfig(ssl);
    tomcat.setConnector(https);
    Context ctx = tomcat.addContext("", null);
    Tomcat.addServlet(
        ctx,
        "reviews",
        new HttpServlet() {
          @Override
          protected void doGet(HttpServletRequest req, HttpServletResponse resp)
              throws IOException {
            resp.getWriter()
                .write(
                    MeshServletFilter.peerIdentity(req)
                        .map(p -> p.spiffeId().toString())
                        .orElse("anonymous"));
          }
        });
    ctx.addServletMappingDecoded("/*", "reviews");
    FilterDef def = new FilterDef();
    def.setFilterName("mesh");
    // the filter vouches for a caller only when the chain verifies against the workload's bundle
    def.setFilter(
        MeshServletFilter.builder("reviews")
            .authorization(onlyProductpage())
            .workloadTls(tls(reviews))
            .build());
    ctx.addFilterDef(def);
    FilterMap map = new FilterMap();
    map.setFilterName("mesh");
    map.addURLPattern("/*");
    ctx.addFilterMap(map);
    tomcat.start();
    opened.add(
        () -> {
          tomcat.stop();
          tomcat.destroy();
        });
    int port = https.getLocalPort();

    HttpResponse<String> allowed = get(client(port, tls("productpage", PRODUCTPAGE)));
    assertThat(allowed.statusCode()).isEqualTo(200);
    assertThat(allowed.body()).isEqualTo(PRODUCTPAGE);

    HttpResponse<String> denied = get(client(port, tls("ratings", RATINGS)));
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(denied.body()).contains("no ALLOW policy matched");
    assertOnlyProductpageWasAllowed();
  }
}
