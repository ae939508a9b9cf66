package dev.weft.mesh.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.testing.xds.Resources;
import dev.weft.mesh.testing.xds.TestControlPlane;
import dev.weft.mesh.xds.XdsConfigSource;
import dev.weft.mesh.xds.bootstrap.Bootstrap;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** gRPC calls through the mesh channel follow routes served by an xDS control plane. */
class GrpcOverXdsTest {
  static final String HOST = "reviews.default.svc.cluster.local";
  static final String LISTENER = HOST + ":9080";
  static final String ROUTES = "9080";
  static final String V1 = "outbound|9080|v1|" + HOST;
  static final String V2 = "outbound|9080|v2|" + HOST;

  private Server v1;
  private Server v2;
  private TestControlPlane controlPlane;

  private static Server backend(String name) throws Exception {
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(
            new SimpleServiceGrpc.SimpleServiceImplBase() {
              @Override
              public void unaryRpc(
                  SimpleRequest request, StreamObserver<SimpleResponse> responses) {
                responses.onNext(SimpleResponse.newBuilder().setResponseMessage(name).build());
                responses.onCompleted();
              }
            })
        .build()
        .start();
  }

  @BeforeEach
  void start() throws Exception {
    v1 = backend("v1");
    v2 = backend("v2");
    controlPlane = new TestControlPlane().start();
  }

  @AfterEach
  void stop() throws Exception {
    controlPlane.close();
    v1.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    v2.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private Snapshot snapshot(String version, int weightV1, int weightV2) {
    return Snapshot.create(
        List.of(Resources.edsCluster(V1), Resources.edsCluster(V2)),
        List.of(
            Resources.endpoints(V1, "v1", v1.getPort()),
            Resources.endpoints(V2, "v2", v2.getPort())),
        List.of(Resources.rdsListener(LISTENER, ROUTES)),
        List.of(Resources.weighted(ROUTES, LISTENER, V1, weightV1, V2, weightV2)),
        List.of(),
        version);
  }

  private static double shareOfV1(SimpleServiceGrpc.SimpleServiceBlockingStub stub, int calls) {
    int n = 0;
    for (int i = 0; i < calls; i++) {
      if (stub.unaryRpc(SimpleRequest.getDefaultInstance()).getResponseMessage().equals("v1")) {
        n++;
      }
    }
    return n / (double) calls;
  }

  @Test
  void grpcCallsFollowASeventyThirtySplitAndThenAHundredToZeroUpdate() throws Exception {
    controlPlane.set(snapshot("1", 70, 30));
    XdsConfigSource source =
        XdsConfigSource.builder(Bootstrap.forServer(controlPlane.target(), "grpc-test"))
            .targets("xds:///" + LISTENER)
            .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200))
            .build();
    try (Mesh mesh = Mesh.builder().configSource(source).build();
        MeshGrpc grpc = MeshGrpc.create(mesh)) {
      await().atMost(Duration.ofSeconds(10)).until(mesh::ready);
      var stub = SimpleServiceGrpc.newBlockingStub(grpc.channel(LISTENER));
      // 3,000 calls: three standard deviations of the share are 2.5 points.
      assertThat(shareOfV1(stub, 3_000)).isBetween(0.67, 0.73);

      controlPlane.set(snapshot("2", 100, 0));
      await()
          .atMost(Duration.ofSeconds(1))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> shareOfV1(stub, 50) == 1.0);
      assertThat(shareOfV1(stub, 500)).isEqualTo(1.0);
    }
  }
}
