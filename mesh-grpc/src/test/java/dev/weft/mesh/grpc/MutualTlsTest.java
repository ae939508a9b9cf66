package dev.weft.mesh.grpc;

import static dev.weft.mesh.grpc.Backend.request;
import static dev.weft.mesh.grpc.Backend.response;
import static dev.weft.mesh.grpc.TestWorkloads.PRODUCTPAGE;
import static dev.weft.mesh.grpc.TestWorkloads.RATINGS;
import static dev.weft.mesh.grpc.TestWorkloads.REVIEWS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.TlsSettings;
import dev.weft.mesh.api.security.AuthorizationPolicy;
import dev.weft.mesh.api.security.AuthorizationPolicy.Action;
import dev.weft.mesh.api.security.AuthorizationPolicy.Rule;
import dev.weft.mesh.api.security.AuthorizationPolicy.Source;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.security.AuditEvent;
import dev.weft.mesh.security.AuthorizationEnforcer;
import dev.weft.mesh.security.Authorizer;
import dev.weft.mesh.security.tls.WorkloadTls;
import dev.weft.mesh.testing.certs.DevCertificateAuthority;
import dev.weft.mesh.testing.certs.DevCertificates;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS with SPIFFE identities through the mesh channel, against grpc-netty servers on
 * loopback.
 */
class MutualTlsTest extends MeshGrpcTestSupport {
  static final TlsSettings TO_REVIEWS =
      new TlsSettings(TlsSettings.Mode.MUTUAL, "", "", "", List.of(REVIEWS), "");

  @TempDir Path dir;
  TestWorkloads workloads;
  final DevCertificateAuthority ca = DevCertificates.newAuthority("weft.test CA");
  final Queue<AuditEvent> audit = new ConcurrentLinkedQueue<>();

  @AfterEach
  void closeWorkloads() {
    if (workloads != null) {
      workloads.close();
    }
  }

  private TestWorkloads workloads() {
    if (workloads == null) {
      workloads = new TestWorkloads(dir);
    }
    return workloads;
  }

  /** Answers with the caller's SPIFFE ID as the handler sees it. */
  static final class WhoAmI extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
      out.onNext(
          response(
              MeshGrpcSecurity.currentPeer()
                  .map(p -> p.spiffeId().toString())
                  .orElse("anonymous")));
      out.onCompleted();
    }
  }

  private Backend reviewsServer(WorkloadTls serverTls, AuthorizationEnforcer enforcer)
      throws IOException {
    MeshServer.Builder security = MeshServer.builder().workloadTls(serverTls);
    if (enforcer != null) {
      security.authorization(enforcer);
    } else {
      security.securityInterceptor(MeshGrpcSecurity.peerIdentity());
    }
    Server server =
        security
            .applyTo(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)))
            .addService(new WhoAmI())
            .build()
            .start();
    Backend b = Backend.of("reviews", server);
    backends.add(b);
    return b;
  }

  private void startClient(Backend reviews, TlsSettings tls, WorkloadTls clientTls) {
    Cluster cluster = Cluster.builder("reviews").endpoints(reviews.endpoint()).tls(tls).build();
    start(
        config("v1", route(Destination.of("reviews")).build(), cluster),
        Mesh.builder(),
        m -> MeshGrpc.builder(m).workloadTls(clientTls));
  }

  private StatusRuntimeException failedCall() {
    try {
      blocking().withDeadlineAfter(5, TimeUnit.SECONDS).unaryRpc(request("x"));
    } catch (StatusRuntimeException e) {
      return e;
    }
    throw new AssertionError("the call succeeded");
  }

  /**
   * The description the caller sees: it must name the cause on its own, without digging into
   * exceptions.
   */
  private static String describe(StatusRuntimeException e) {
    assertThat(e.getStatus().getDescription()).startsWith("TLS handshake with 127.0.0.1:");
    return e.getStatus().getDescription();
  }

  @Test
  void aMutualTlsCallReachesTheHandlerWithTheCallersIdentity() throws Exception {
    Backend reviews = reviewsServer(workloads().tls("reviews", REVIEWS, ca), null);
    startClient(reviews, TO_REVIEWS, workloads().tls("productpage", PRODUCTPAGE, ca));
    assertThat(blocking().unaryRpc(request("x")).getResponseMessage()).isEqualTo(PRODUCTPAGE);
  }

  @Test
  void serverCredentialsServeMutualTlsToOtherServerBuilders() throws Exception {
    WorkloadTls reviewsTls = workloads().tls("reviews", REVIEWS, ca);
    Server server =
        NettyServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", 0),
                MeshGrpcSecurity.serverCredentials(reviewsTls))
            .intercept(MeshGrpcSecurity.peerIdentity())
            .addService(new WhoAmI())
            .build()
            .start();
    Backend reviews = Backend.of("reviews", server);
    backends.add(reviews);
    startClient(reviews, TO_REVIEWS, workloads().tls("productpage", PRODUCTPAGE, ca));
    assertThat(blocking().unaryRpc(request("x")).getResponseMessage()).isEqualTo(PRODUCTPAGE);

    assertThatThrownBy(
            () ->
                MeshServer.builder()
                    .workloadTls(reviewsTls)
                    .applyTo(io.grpc.inprocess.InProcessServerBuilder.forName("x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("MeshGrpcSecurity.serverCredentials");
  }

  @Test
  void aServerCertificateFromAnotherCaFailsTheCall() throws Exception {
    DevCertificateAuthority other = DevCertificates.newAuthority("other CA");
    // The server trusts our CA (so it would accept the client) but presents a certificate of
    // another.
    Backend reviews =
        reviewsServer(
            workloads()
                .tls(
                    workloads()
                        .write(
                            "reviews",
                            other.workload(REVIEWS).ipAddresses("127.0.0.1").issue(),
                            ca)),
            null);
    startClient(reviews, TO_REVIEWS, workloads().tls("productpage", PRODUCTPAGE, ca));
    StatusRuntimeException e = failedCall();
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(describe(e)).contains("is not trusted").contains("other CA");
  }

  @Test
  void aServerWithTheWrongSpiffeIdFailsTheCall() throws Exception {
    Backend reviews = reviewsServer(workloads().tls("ratings", RATINGS, ca), null);
    startClient(reviews, TO_REVIEWS, workloads().tls("productpage", PRODUCTPAGE, ca));
    StatusRuntimeException e = failedCall();
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(describe(e))
        .contains("server identity mismatch")
        .contains(REVIEWS)
        .contains(RATINGS);
  }

  @Test
  void anExpiredServerCertificateFailsTheCall() throws Exception {
    Backend reviews =
        reviewsServer(
            workloads()
                .tls(
                    workloads()
                        .write(
                            "reviews",
                            ca.workload(REVIEWS).ipAddresses("127.0.0.1").expired().issue(),
                            ca)),
            null);
    startClient(reviews, TO_REVIEWS, workloads().tls("productpage", PRODUCTPAGE, ca));
    StatusRuntimeException e = failedCall();
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(describe(e)).contains("expired");
  }

  @Test
  void aPlaintextClientCannotCallAMutualTlsServer() throws Exception {
    Backend reviews = reviewsServer(workloads().tls("reviews", REVIEWS, ca), null);
    startClient(reviews, TlsSettings.DISABLED, workloads().tls("productpage", PRODUCTPAGE, ca));
    StatusRuntimeException e = failedCall();
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.getStatus().getDescription())
        .contains("closed by the server")
        .contains("TLS mode is DISABLED")
        .contains("requires TLS");
  }

  @Test
  void aPolicyThatAllowsOnlyProductpageDeniesRatingsWithPermissionDenied() throws Exception {
    AuthorizationEnforcer enforcer =
        AuthorizationEnforcer.builder()
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
    Backend reviews = reviewsServer(workloads().tls("reviews", REVIEWS, ca), enforcer);
    WorkloadTls productpage = workloads().tls("productpage", PRODUCTPAGE, ca);
    WorkloadTls ratings = workloads().tls("ratings", RATINGS, ca);
    Cluster cluster =
        Cluster.builder("reviews").endpoints(reviews.endpoint()).tls(TO_REVIEWS).build();
    start(
        config("v1", route(Destination.of("reviews")).build(), cluster),
        Mesh.builder(),
        m -> MeshGrpc.builder(m).workloadTls(productpage));
    assertThat(blocking().unaryRpc(request("x")).getResponseMessage()).isEqualTo(PRODUCTPAGE);

    try (MeshGrpc asRatings = MeshGrpc.builder(mesh).workloadTls(ratings).build()) {
      assertThatThrownBy(
              () ->
                  SimpleServiceGrpc.newBlockingStub(asRatings.channel(SERVICE))
                      .unaryRpc(request("x")))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                assertThat(e.getStatus().getDescription()).contains("no ALLOW policy matched");
              });
      asRatings.close();
      assertThat(asRatings.openConnections()).isZero();
    }
    assertThat(audit)
        .extracting(
            a -> a.caller().orElseThrow().toString(), a -> a.decision().allowed(), AuditEvent::path)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                PRODUCTPAGE, true, "/grpc.testing.SimpleService/UnaryRpc"),
            org.assertj.core.groups.Tuple.tuple(
                RATINGS, false, "/grpc.testing.SimpleService/UnaryRpc"));
    assertThat(audit.stream().map(a -> a.decision().policy()))
        .containsExactly("reviews-viewer", "");
  }

  @Test
  void withoutAWorkloadTheDefaultCredentialsStillRequireTheExpectedServerIdentity()
      throws Exception {
    // server-only TLS from the cluster's own files, as an xDS cluster or a YAML file may give it
    TestWorkloads.Files serverFiles =
        workloads().write("reviews", ca.workload(REVIEWS).ipAddresses("127.0.0.1").issue(), ca);
    TestWorkloads.Files impostorFiles =
        workloads().write("impostor", ca.workload(RATINGS).ipAddresses("127.0.0.1").issue(), ca);
    Backend genuine = reviewsServer(workloads().tls(serverFiles), null);
    Backend impostor = reviewsServer(workloads().tls(impostorFiles), null);
    // the client's certificate and the CA from the cluster's own files, as an xDS cluster with
    // certificate providers or a YAML file gives them
    TestWorkloads.Files clientFiles =
        workloads()
            .write("productpage", ca.workload(PRODUCTPAGE).ipAddresses("127.0.0.1").issue(), ca);
    TlsSettings expectReviews =
        new TlsSettings(
            TlsSettings.Mode.MUTUAL,
            clientFiles.chain().toString(),
            clientFiles.key().toString(),
            clientFiles.ca().toString(),
            List.of(REVIEWS),
            "");

    Cluster toGenuine =
        Cluster.builder("reviews").endpoints(genuine.endpoint()).tls(expectReviews).build();
    start(
        config("v1", route(Destination.of("reviews")).build(), toGenuine),
        Mesh.builder(),
        m -> MeshGrpc.builder(m));
    assertThat(
            blocking()
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .unaryRpc(request("x"))
                .getResponseMessage())
        .isEqualTo(PRODUCTPAGE);

    Cluster toImpostor =
        Cluster.builder("reviews").endpoints(impostor.endpoint()).tls(expectReviews).build();
    source.update(config("v2", route(Destination.of("reviews")).build(), toImpostor));
    StatusRuntimeException e = failedCall();
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.getStatus().getDescription()).contains(REVIEWS);
  }

  @Test
  void aClusterThatExpectsAnIdentityWithoutACaFileIsRefused() {
    Cluster cluster =
        Cluster.builder("reviews")
            .endpoints(dev.weft.mesh.api.config.Endpoint.of("127.0.0.1", 1))
            .tls(new TlsSettings(TlsSettings.Mode.SIMPLE, "", "", "", List.of(REVIEWS), ""))
            .build();
    assertThatThrownBy(() -> MeshGrpc.defaultCredentials(cluster))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cluster 'reviews' expects the server to be one of")
        .hasMessageContaining("names no CA certificates");
  }
}
