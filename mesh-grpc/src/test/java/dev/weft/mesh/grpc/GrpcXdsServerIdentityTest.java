package dev.weft.mesh.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.security.tls.WorkloadTls;
import dev.weft.mesh.testing.certs.DevCertificateAuthority;
import dev.weft.mesh.testing.certs.DevCertificates;
import dev.weft.mesh.testing.xds.Resources;
import dev.weft.mesh.testing.xds.TestControlPlane;
import dev.weft.mesh.xds.XdsConfigSource;
import dev.weft.mesh.xds.bootstrap.Bootstrap;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateProviderPluginInstance;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The identity an xDS cluster expects ({@code match_typed_subject_alt_names}, exact SPIFFE ID) is
 * enforced in a real mutual TLS handshake over loopback: the genuine server answers; an impostor
 * with a certificate from the same CA but another SPIFFE ID fails the handshake; and a cluster
 * update that asks for a validation setting Weft cannot enforce is NACKed while calls keep using
 * the settings in force.
 */
class GrpcXdsServerIdentityTest {
  static final String TRUST_DOMAIN = "weft.test";
  static final String RATINGS = "spiffe://weft.test/ns/default/sa/ratings";
  static final String REVIEWS = "spiffe://weft.test/ns/default/sa/reviews";
  static final String PRODUCTPAGE = "spiffe://weft.test/ns/default/sa/productpage";
  static final String LISTENER = "ratings.default.svc.cluster.local:9080";
  static final String ROUTES = "9080";
  static final String CLUSTER = "outbound|9080||ratings.default.svc.cluster.local";
  static final String CLUSTER_URL = "type.googleapis.com/envoy.config.cluster.v3.Cluster";

  @TempDir Path dir;
  final DevCertificateAuthority ca = DevCertificates.newAuthority("weft test CA");
  final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  Path[] issue(String name, String spiffeId) throws Exception {
    Path chain = dir.resolve(name + "-chain.pem");
    Path key = dir.resolve(name + "-key.pem");
    Path caFile = dir.resolve(name + "-ca.pem");
    ca.workload(spiffeId).ipAddresses("127.0.0.1").issue().writeTo(chain, key);
    ca.writeCertificate(caFile);
    return new Path[] {chain, key, caFile};
  }

  WorkloadTls workload(Path[] files) {
    WorkloadTls tls =
        WorkloadTls.builder()
            .identity(files[0], files[1])
            .caCertificates(files[2])
            .trustDomains(TRUST_DOMAIN)
            .build();
    closing.add(tls::close);
    return tls;
  }

  static final class Named extends SimpleServiceGrpc.SimpleServiceImplBase {
    private final String name;

    Named(String name) {
      this.name = name;
    }

    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
      out.onNext(SimpleResponse.newBuilder().setResponseMessage(name).build());
      out.onCompleted();
    }
  }

  Server server(String name, String spiffeId) throws Exception {
    Server s =
        MeshServer.builder()
            .workloadTls(workload(issue(name, spiffeId)))
            .applyTo(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)))
            .addService(new Named(name))
            .build()
            .start();
    closing.add(() -> s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    return s;
  }

  static UpstreamTlsContext expecting(String spiffeId) {
    CertificateProviderPluginInstance provider =
        CertificateProviderPluginInstance.newBuilder().setInstanceName("default").build();
    return UpstreamTlsContext.newBuilder()
        .setCommonTlsContext(
            CommonTlsContext.newBuilder()
                .setTlsCertificateProviderInstance(provider)
                .setCombinedValidationContext(
                    CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
                        .setDefaultValidationContext(
                            CertificateValidationContext.newBuilder()
                                .setCaCertificateProviderInstance(provider)
                                .addMatchTypedSubjectAltNames(
                                    SubjectAltNameMatcher.newBuilder()
                                        .setSanType(SubjectAltNameMatcher.SanType.URI)
                                        .setMatcher(
                                            StringMatcher.newBuilder().setExact(spiffeId))))))
        .build();
  }

  static Snapshot snapshot(UpstreamTlsContext tls, int port, String version) {
    Cluster cluster =
        Resources.edsCluster(CLUSTER).toBuilder()
            .setTransportSocket(
                TransportSocket.newBuilder()
                    .setName("envoy.transport_sockets.tls")
                    .setTypedConfig(Any.pack(tls)))
            .build();
    return Snapshot.create(
        List.of(cluster),
        List.of(Resources.endpoints(CLUSTER, "v1", port)),
        List.of(Resources.rdsListener(LISTENER, ROUTES)),
        List.of(Resources.weighted(ROUTES, LISTENER, CLUSTER, 1, CLUSTER, 1)),
        List.of(),
        version);
  }

  static String call(MeshGrpc grpc) {
    try {
      return SimpleServiceGrpc.newBlockingStub(grpc.channel("ratings"))
          .withDeadlineAfter(5, TimeUnit.SECONDS)
          .unaryRpc(SimpleRequest.getDefaultInstance())
          .getResponseMessage();
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode() + ": " + e.getStatus().getDescription();
    }
  }

  @Test
  void theClustersExpectedSpiffeIdIsEnforcedInTheHandshake() throws Exception {
    Server genuine = server("ratings", RATINGS);
    Server impostor = server("impostor", REVIEWS);

    // The caller's certificate and CA come from the bootstrap's file_watcher provider.
    Path[] client = issue("productpage", PRODUCTPAGE);
    TestControlPlane cp = new TestControlPlane().start();
    closing.add(cp);
    Bootstrap plain = Bootstrap.forServer(cp.target(), "productpage");
    Bootstrap bootstrap =
        new Bootstrap(
            plain.node(),
            plain.servers(),
            Map.of(
                "default",
                new Bootstrap.CertificateProvider(
                    "default",
                    "file_watcher",
                    client[0].toString(),
                    client[1].toString(),
                    client[2].toString(),
                    Duration.ofMinutes(10))),
            "",
            "%s");
    cp.set(snapshot(expecting(RATINGS), genuine.getPort(), "1"));
    Mesh mesh =
        Mesh.builder()
            .configSource(XdsConfigSource.builder(bootstrap).targets("xds:///" + LISTENER).build())
            .build();
    closing.add(mesh);
    await().atMost(Duration.ofSeconds(10)).until(mesh::ready);
    MeshGrpc grpc = MeshGrpc.builder(mesh).workloadTls(workload(client)).build();
    closing.add(grpc);

    assertThat(call(grpc)).isEqualTo("ratings");

    // An update that would pin a hash (and expect another identity) is refused whole; calls keep
    // the settings in force, so the genuine server still answers.
    UpstreamTlsContext.Builder pinned = expecting(REVIEWS).toBuilder();
    pinned
        .getCommonTlsContextBuilder()
        .getCombinedValidationContextBuilder()
        .getDefaultValidationContextBuilder()
        .addVerifyCertificateHash("DF:6F:F7:2F:E9:11:65:21:26:8F:6F:2D:D4:96:6F:51:DF:67:C0:DA")
        .setMaxVerifyDepth(UInt32Value.of(1));
    cp.set(snapshot(pinned.build(), genuine.getPort(), "2"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> cp.nacks().stream().anyMatch(r -> r.getTypeUrl().equals(CLUSTER_URL)));
    DiscoveryRequest nack =
        cp.nacks().stream().filter(r -> r.getTypeUrl().equals(CLUSTER_URL)).findFirst().get();
    assertThat(nack.getErrorDetail().getMessage())
        .contains("Cluster '" + CLUSTER + "'")
        .contains(
            "transport_socket.typed_config.common_tls_context.combined_validation_context"
                + ".default_validation_context.verify_certificate_hash: not supported");
    assertThat(call(grpc)).isEqualTo("ratings");

    // The endpoint moves to a server whose certificate the same CA signed for another identity.
    cp.set(snapshot(expecting(RATINGS), impostor.getPort(), "3"));
    List<String> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              String answer = call(grpc);
              answers.add(answer);
              return answer.contains("identity mismatch");
            });
    assertThat(answers).doesNotContain("impostor");
    String failure = call(grpc);
    assertThat(failure)
        .startsWith(
            Status.Code.UNAVAILABLE + ": TLS handshake with 127.0.0.1:" + impostor.getPort())
        .contains("server identity mismatch")
        .contains(RATINGS)
        .contains(REVIEWS);

    // And back to the genuine server: OK again.
    cp.set(snapshot(expecting(RATINGS), genuine.getPort(), "4"));
    await().atMost(Duration.ofSeconds(10)).until(() -> call(grpc).equals("ratings"));
  }
}
