package dev.weft.mesh.grpc;

import static dev.weft.mesh.testing.xds.RbacResources.anyPermission;
import static dev.weft.mesh.testing.xds.RbacResources.policy;
import static dev.weft.mesh.testing.xds.RbacResources.principal;
import static dev.weft.mesh.testing.xds.RbacResources.rbac;
import static dev.weft.mesh.testing.xds.RbacResources.serverListener;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.api.config.TlsSettings;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.core.StaticConfigSource;
import dev.weft.mesh.security.AuthorizationEnforcer;
import dev.weft.mesh.security.MeshAuthorization;
import dev.weft.mesh.security.tls.WorkloadTls;
import dev.weft.mesh.testing.certs.DevCertificateAuthority;
import dev.weft.mesh.testing.certs.DevCertificates;
import dev.weft.mesh.testing.xds.RbacResources;
import dev.weft.mesh.testing.xds.TestControlPlane;
import dev.weft.mesh.xds.XdsConfigSource;
import dev.weft.mesh.xds.bootstrap.Bootstrap;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.rbac.v3.RBAC.Action;
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
 * A server process takes its authorization policies from the RBAC filters of its xDS server
 * listener; callers over real mutual TLS get OK or PERMISSION_DENIED as the control plane's policy
 * says, and a policy update changes the answer without restarting anything.
 */
class GrpcRbacOverXdsTest {
  static final String TRUST_DOMAIN = "cluster.local";
  static final String REVIEWS = "spiffe://cluster.local/ns/default/sa/reviews";
  static final String PRODUCTPAGE = "spiffe://cluster.local/ns/default/sa/productpage";
  static final String RATINGS = "spiffe://cluster.local/ns/default/sa/ratings";

  @TempDir Path dir;
  final DevCertificateAuthority ca = DevCertificates.newAuthority("rbac CA");
  final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  WorkloadTls workload(String name, String spiffeId) throws Exception {
    Path chain = dir.resolve(name + "-chain.pem");
    Path key = dir.resolve(name + "-key.pem");
    Path caFile = dir.resolve(name + "-ca.pem");
    ca.workload(spiffeId).ipAddresses("127.0.0.1").issue().writeTo(chain, key);
    ca.writeCertificate(caFile);
    WorkloadTls tls =
        WorkloadTls.builder()
            .identity(chain, key)
            .caCertificates(caFile)
            .trustDomains(TRUST_DOMAIN)
            .build();
    closing.add(tls::close);
    return tls;
  }

  static Snapshot allowOnly(String version, String spiffeId) {
    return Snapshot.create(
        List.of(),
        List.of(),
        List.of(
            serverListener(
                rbac(
                    "envoy.filters.http.rbac",
                    Action.ALLOW,
                    Map.of(
                        "ns[default]-policy[reviews]-rule[0]",
                        policy(
                            List.of(anyPermission()),
                            List.of(principal(spiffeId.substring("spiffe://".length())))))))),
        List.of(),
        List.of(),
        version);
  }

  static final class WhoAmI extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
      out.onNext(SimpleResponse.newBuilder().setResponseMessage("reviews").build());
      out.onCompleted();
    }
  }

  static Status.Code call(MeshGrpc grpc) {
    try {
      SimpleServiceGrpc.newBlockingStub(grpc.channel("reviews"))
          .withDeadlineAfter(5, TimeUnit.SECONDS)
          .unaryRpc(SimpleRequest.getDefaultInstance());
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  @Test
  void theControlPlanesRbacPolicyDecidesWhoMayCall() throws Exception {
    TestControlPlane cp = new TestControlPlane().start();
    closing.add(cp);
    cp.set(allowOnly("1", PRODUCTPAGE));

    // The server process: its mesh reads only its server listener; the enforcer follows that mesh.
    XdsConfigSource serverSource =
        XdsConfigSource.builder(
                Bootstrap.forServer(cp.target(), "reviews")
                    .withServerListenerResourceNameTemplate(RbacResources.TEMPLATE))
            .serverListener(RbacResources.ADDRESS)
            .build();
    Mesh serverMesh = Mesh.builder().name("reviews").configSource(serverSource).build();
    closing.add(serverMesh);
    await().atMost(Duration.ofSeconds(10)).until(serverMesh::ready);
    AuthorizationEnforcer enforcer = AuthorizationEnforcer.builder().build();
    MeshAuthorization following = MeshAuthorization.follow(serverMesh, enforcer, "reviews");
    closing.add(following);
    Server server =
        MeshServer.builder()
            .workloadTls(workload("reviews", REVIEWS))
            .authorization(enforcer)
            .applyTo(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)))
            .addService(new WhoAmI())
            .build()
            .start();
    closing.add(() -> server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));

    // The calling processes: a static configuration with mutual TLS to the server.
    TlsSettings toReviews =
        new TlsSettings(TlsSettings.Mode.MUTUAL, "", "", "", List.of(REVIEWS), "");
    MeshConfig clientConfig =
        MeshConfig.builder()
            .version("c1")
            .service(
                Service.of(
                    "reviews",
                    Route.builder("main").destinations(Destination.of("reviews")).build()))
            .cluster(
                Cluster.builder("reviews")
                    .endpoints(Endpoint.of("127.0.0.1", server.getPort()))
                    .tls(toReviews)
                    .build())
            .build();
    Mesh clientMesh =
        Mesh.builder().name("callers").configSource(new StaticConfigSource(clientConfig)).build();
    closing.add(clientMesh);
    MeshGrpc asProductpage =
        MeshGrpc.builder(clientMesh).workloadTls(workload("productpage", PRODUCTPAGE)).build();
    closing.add(asProductpage);
    MeshGrpc asRatings =
        MeshGrpc.builder(clientMesh).workloadTls(workload("ratings", RATINGS)).build();
    closing.add(asRatings);

    assertThat(call(asProductpage)).isEqualTo(Status.Code.OK);
    assertThat(call(asRatings)).isEqualTo(Status.Code.PERMISSION_DENIED);

    cp.set(allowOnly("2", RATINGS));
    await().atMost(Duration.ofSeconds(10)).until(() -> call(asRatings) == Status.Code.OK);
    assertThat(call(asProductpage)).isEqualTo(Status.Code.PERMISSION_DENIED);
  }
}
