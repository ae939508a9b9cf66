package dev.weft.mesh.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.weft.mesh.api.config.TlsSettings;
import dev.weft.mesh.http.MeshHttpClient;
import dev.weft.mesh.http.server.MeshServletFilter;
import dev.weft.mesh.security.AuthorizationEnforcer;
import dev.weft.mesh.security.PeerIdentity;
import dev.weft.mesh.security.tls.WorkloadTls;
import dev.weft.mesh.testing.certs.DevCertificateAuthority;
import dev.weft.mesh.testing.certs.DevCertificates;
import dev.weft.mesh.testing.certs.IssuedCertificate;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The starter's security: the workload identity from properties used by the mesh's clients, the SSL
 * bundle a real Tomcat serves mutual TLS with (and rotates), and the configuration's authorization
 * policies enforced by the servlet filter and the gRPC interceptor.
 */
class MeshSecurityAutoConfigurationTest {
  private static final String TRUST_DOMAIN = "weft.test";
  private static final String PRODUCTPAGE = "spiffe://weft.test/ns/default/sa/productpage";
  private static final String REVIEWS = "spiffe://weft.test/ns/default/sa/reviews";
  private static final String RATINGS = "spiffe://weft.test/ns/default/sa/ratings";

  @TempDir Path dir;

  private DevCertificateAuthority ca;
  private Path caFile;

  @BeforeEach
  void mintAuthority() throws IOException {
    ca = DevCertificates.newAuthority("weft.test CA");
    caFile = dir.resolve("root-cert.pem");
    ca.writeCertificate(caFile);
  }

  @AfterEach
  void noWeftThreadsLeft() {
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(Thread.getAllStackTraces().keySet())
                    .extracting(Thread::getName)
                    .noneMatch(n -> n.startsWith("weft-tls") || n.startsWith("weft-file")));
  }

  /**
   * Writes a workload certificate for {@code spiffeId} into {@code name/}; returns its directory.
   */
  private IssuedCertificate workload(String name, String spiffeId) throws IOException {
    IssuedCertificate cert =
        ca.workload(spiffeId).ipAddresses("127.0.0.1").validFor(Duration.ofHours(1)).issue();
    Path d = Files.createDirectories(dir.resolve(name));
    cert.writeTo(d.resolve("cert-chain.pem"), d.resolve("key.pem"));
    return cert;
  }

  private String[] securityProperties(String name) {
    Path d = dir.resolve(name);
    return new String[] {
      "weft.mesh.security.certificate-chain=" + d.resolve("cert-chain.pem"),
      "weft.mesh.security.private-key=" + d.resolve("key.pem"),
      "weft.mesh.security.ca-certificates=" + caFile,
      "weft.mesh.security.trust-domains=" + TRUST_DOMAIN,
      "weft.mesh.security.refresh-interval=200ms"
    };
  }

  private WorkloadTls workloadTls(String name) {
    Path d = dir.resolve(name);
    return WorkloadTls.builder()
        .identity(d.resolve("cert-chain.pem"), d.resolve("key.pem"))
        .caCertificates(caFile)
        .trustDomains(TRUST_DOMAIN)
        .build();
  }

  private Path configFile(String body) throws IOException {
    Path file = dir.resolve("mesh.yaml");
    Files.writeString(file, body);
    return file;
  }

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  MeshXdsAutoConfiguration.class,
                  MeshAutoConfiguration.class,
                  MeshSecurityAutoConfiguration.class,
                  MeshHttpAutoConfiguration.class,
                  MeshGrpcAutoConfiguration.class));

  @Test
  void theMeshHttpClientCallsMutualTlsClustersWithTheWorkloadIdentityFromProperties()
      throws Exception {
    workload("productpage", PRODUCTPAGE);
    workload("reviews", REVIEWS);
    HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    try (WorkloadTls serverTls = workloadTls("reviews")) {
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
            String caller =
                PeerIdentity.from(((HttpsExchange) exchange).getSSLSession())
                    .map(p -> p.spiffeId().toString())
                    .orElse("none");
            byte[] body = caller.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          });
      server.start();
      Path config =
          configFile(
              """
          version: "mtls-1"
          clusters:
            reviews:
              endpoints: [{address: 127.0.0.1:%d}]
              tls: {mode: MUTUAL, subjectAltNames: ["%s"]}
          """
                  .formatted(server.getAddress().getPort(), REVIEWS));
      runner
          .withPropertyValues("weft.mesh.config.file=" + config)
          .withPropertyValues(securityProperties("productpage"))
          .run(
              context -> {
                assertThat(context).hasNotFailed().hasSingleBean(WorkloadTls.class);
                MeshHttpClient http = context.getBean(MeshHttpClient.class);
                HttpResponse<String> response =
                    http.send(
                        HttpRequest.newBuilder(URI.create("http://reviews/reviews/1")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.body())
                    .as("the identity the server verified")
                    .isEqualTo(PRODUCTPAGE);
              });
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aCertificateWithoutItsKeyFailsNamingTheMissingProperties() throws Exception {
    workload("productpage", PRODUCTPAGE);
    runner
        .withPropertyValues(
            "weft.mesh.security.certificate-chain=" + dir.resolve("productpage/cert-chain.pem"))
        .run(
            context ->
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining(
                        "weft.mesh.security.private-key and weft.mesh.security.ca-certificates must be set too"));
  }

  @Test
  void aCertificateFileThatIsNotPemFailsNamingTheFile() throws Exception {
    workload("productpage", PRODUCTPAGE);
    Path broken = Files.writeString(dir.resolve("broken.pem"), "not a certificate");
    runner
        .withPropertyValues(securityProperties("productpage"))
        .withPropertyValues("weft.mesh.security.certificate-chain=" + broken)
        .run(
            context ->
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining(broken.toString()));
  }

  @Test
  void withoutCertificatePropertiesNothingSecurityRelatedIsCreated() throws Exception {
    Path config = configFile("version: \"1\"\n");
    runner
        .withPropertyValues("weft.mesh.config.file=" + config)
        .run(
            context -> {
              assertThat(context)
                  .hasNotFailed()
                  .doesNotHaveBean(WorkloadTls.class)
                  .doesNotHaveBean(AuthorizationEnforcer.class);
              assertThat(context).hasSingleBean(MeshHttpClient.class);
            });
  }

  @Test
  void tomcatServesMutualTlsFromTheBundleEnforcesThePoliciesAndRotatesTheCertificate()
      throws Exception {
    IssuedCertificate reviewsCert = workload("reviews", REVIEWS);
    workload("productpage", PRODUCTPAGE);
    workload("ratings", RATINGS);
    Path config =
        configFile(
            """
        version: "policies-1"
        authorizationPolicies:
          - name: reviews-viewers
            services: [reviews]
            action: ALLOW
            rules:
              - from: [{principals: ["%s"]}]
        """
                .formatted(PRODUCTPAGE));
    SpringApplicationBuilder app =
        new SpringApplicationBuilder(SecuredApp.class)
            .properties(
                "server.port=0",
                "server.address=127.0.0.1",
                "server.ssl.bundle=weft",
                "server.ssl.client-auth=need",
                "weft.mesh.config.file=" + config,
                "weft.mesh.server.service=reviews",
                "spring.main.banner-mode=off");
    app.properties(securityProperties("reviews"));
    try (ConfigurableApplicationContext context = app.run();
        WorkloadTls productpage = workloadTls("productpage");
        WorkloadTls ratings = workloadTls("ratings")) {
      int port = ((WebServerApplicationContext) context).getWebServer().getPort();
      HttpResponse<String> allowed = get(productpage, port);
      assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
      assertThat(allowed.body()).as("the caller the application saw").isEqualTo(PRODUCTPAGE);
      assertThat(serverSerial(allowed)).isEqualTo(reviewsCert.serialNumber());

      HttpResponse<String> denied = get(ratings, port);
      assertThat(denied.statusCode()).isEqualTo(403);
      assertThat(denied.body()).contains("no ALLOW policy matched");

      // the certificate rotates: new connections get the new one from the updated bundle
      IssuedCertificate rotated = workload("reviews", REVIEWS);
      assertThat(rotated.serialNumber()).isNotEqualTo(reviewsCert.serialNumber());
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(serverSerial(get(productpage, port)))
                      .isEqualTo(rotated.serialNumber()));
      assertThat(get(productpage, port).statusCode()).isEqualTo(200);
    }
  }

  /**
   * A GET with a fresh client (so a fresh connection and handshake) presenting {@code tls}'s
   * identity.
   */
  private static HttpResponse<String> get(WorkloadTls tls, int port) throws Exception {
    TlsSettings settings =
        new TlsSettings(TlsSettings.Mode.MUTUAL, "", "", "", List.of(REVIEWS), "");
    HttpClient client =
        HttpClient.newBuilder()
            .sslContext(tls.clientContext(settings))
            .sslParameters(tls.clientParameters(settings))
            .build();
    return client.send(
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/whoami")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static BigInteger serverSerial(HttpResponse<?> response) throws Exception {
    SSLSession session = response.sslSession().orElseThrow();
    return ((X509Certificate) session.getPeerCertificates()[0]).getSerialNumber();
  }

  @Test
  void theGrpcInterceptorEnforcesThePoliciesOfTheConfiguration() throws Exception {
    Path config =
        configFile(
            """
        version: "grpc-policies"
        authorizationPolicies:
          - name: no-streaming
            services: [testing]
            action: DENY
            rules:
              - to: [{paths: ["/grpc.testing.SimpleService/Server*"]}]
        """);
    runner
        .withPropertyValues("weft.mesh.config.file=" + config, "weft.mesh.server.service=testing")
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(AuthorizationEnforcer.class);
              MeshServerInterceptor interceptor = context.getBean(MeshServerInterceptor.class);
              assertThat(interceptor.interceptors()).hasSize(1);
              Server server =
                  NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                      .addService(
                          ServerInterceptors.intercept(
                              new SimpleServiceGrpc.SimpleServiceImplBase() {
                                @Override
                                public void unaryRpc(
                                    SimpleRequest request,
                                    StreamObserver<SimpleResponse> responseObserver) {
                                  responseObserver.onNext(
                                      SimpleResponse.newBuilder().setResponseMessage("ok").build());
                                  responseObserver.onCompleted();
                                }

                                @Override
                                public void serverStreamingRpc(
                                    SimpleRequest request,
                                    StreamObserver<SimpleResponse> responseObserver) {
                                  responseObserver.onNext(
                                      SimpleResponse.newBuilder()
                                          .setResponseMessage("streamed")
                                          .build());
                                  responseObserver.onCompleted();
                                }
                              },
                              interceptor))
                      .build()
                      .start();
              ManagedChannel channel =
                  NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
                      .usePlaintext()
                      .build();
              try {
                SimpleServiceGrpc.SimpleServiceBlockingStub stub =
                    SimpleServiceGrpc.newBlockingStub(channel);
                assertThat(stub.unaryRpc(SimpleRequest.getDefaultInstance()).getResponseMessage())
                    .isEqualTo("ok");
                org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> stub.serverStreamingRpc(SimpleRequest.getDefaultInstance()).next())
                    .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e ->
                            assertThat(e.getStatus().getCode())
                                .isEqualTo(Status.Code.PERMISSION_DENIED));
              } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
              }
            });
  }

  /** A servlet application of one controller, configured only by the starter. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(WhoAmI.class)
  static class SecuredApp {}

  /** Answers with the caller identity the mesh's servlet filter recorded. */
  @RestController
  static class WhoAmI {
    @GetMapping("/whoami")
    String whoami(HttpServletRequest request) {
      return MeshServletFilter.peerIdentity(request)
          .map(p -> p.spiffeId().toString())
          .orElse("none");
    }
  }
}
