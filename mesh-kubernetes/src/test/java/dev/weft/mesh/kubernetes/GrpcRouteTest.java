package dev.weft.mesh.kubernetes;

import static dev.weft.mesh.kubernetes.Resources.endpoint;
import static dev.weft.mesh.kubernetes.Resources.service;
import static dev.weft.mesh.kubernetes.Resources.slice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.grpc.MeshGrpc;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteBuilder;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A GRPCRoute's method match sends one method to another Service, through the mesh channel. */
class GrpcRouteTest {
  private final List<Server> servers = new ArrayList<>();
  private ApiServer api;
  private KubernetesConfigSource source;
  private Mesh mesh;
  private MeshGrpc grpc;

  @AfterEach
  void tearDown() throws InterruptedException {
    if (grpc != null) {
      grpc.close();
    }
    if (mesh != null) {
      mesh.close();
    }
    if (source != null) {
      source.close();
    }
    for (Server s : servers) {
      s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    api.close();
  }

  private int serve(String name) throws Exception {
    Server s =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(
                new SimpleServiceGrpc.SimpleServiceImplBase() {
                  @Override
                  public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
                    out.onNext(SimpleResponse.newBuilder().setResponseMessage(name).build());
                    out.onCompleted();
                  }

                  @Override
                  public void serverStreamingRpc(
                      SimpleRequest request, StreamObserver<SimpleResponse> out) {
                    out.onNext(SimpleResponse.newBuilder().setResponseMessage(name).build());
                    out.onCompleted();
                  }
                })
            .build()
            .start();
    servers.add(s);
    return s.getPort();
  }

  @Test
  void aMethodMatchSendsThatMethodToAnotherService() throws Exception {
    api = new ApiServer();
    int a = serve("echo-a");
    int b = serve("echo-b");
    var admin = api.admin();
    admin.services().resource(service("echo", 50051)).create();
    admin.services().resource(service("echo-a", 50051)).create();
    admin.services().resource(service("echo-b", 50051)).create();
    admin
        .discovery()
        .v1()
        .endpointSlices()
        .resource(slice("echo-a-1", "echo-a", a, List.of(endpoint("a", "127.0.0.1", false))))
        .create();
    admin
        .discovery()
        .v1()
        .endpointSlices()
        .resource(slice("echo-b-1", "echo-b", b, List.of(endpoint("b", "127.0.0.1", false))))
        .create();
    GRPCRoute route =
        new GRPCRouteBuilder()
            .withNewMetadata()
            .withName("echo")
            .withNamespace("default")
            .endMetadata()
            .withNewSpec()
            .addNewParentRef()
            .withGroup("")
            .withKind("Service")
            .withName("echo")
            .endParentRef()
            .addNewRule()
            .addNewMatch()
            .withNewMethod()
            .withType("Exact")
            .withService("grpc.testing.SimpleService")
            .withMethod("ServerStreamingRpc")
            .endMethod()
            .endMatch()
            .addNewBackendRef()
            .withName("echo-b")
            .withPort(50051)
            .endBackendRef()
            .endRule()
            .addNewRule()
            .addNewBackendRef()
            .withName("echo-a")
            .withPort(50051)
            .endBackendRef()
            .endRule()
            .endSpec()
            .build();
    admin.resources(GRPCRoute.class).resource(route).create();

    source =
        KubernetesConfigSource.builder()
            .client(api.client())
            .namespaces("default")
            .podLabels(false)
            .build();
    mesh = Mesh.builder().configSource(source).build();
    assertThat(mesh.awaitReady(Duration.ofSeconds(20))).isTrue();
    grpc = MeshGrpc.create(mesh);
    SimpleServiceGrpc.SimpleServiceBlockingStub stub =
        SimpleServiceGrpc.newBlockingStub(grpc.channel("echo"));

    for (int i = 0; i < 10; i++) {
      assertThat(
              stub.withDeadlineAfter(20, TimeUnit.SECONDS)
                  .unaryRpc(SimpleRequest.getDefaultInstance())
                  .getResponseMessage())
          .isEqualTo("echo-a");
      Iterator<SimpleResponse> streamed =
          stub.withDeadlineAfter(20, TimeUnit.SECONDS)
              .serverStreamingRpc(SimpleRequest.getDefaultInstance());
      assertThat(streamed.next().getResponseMessage()).isEqualTo("echo-b");
      assertThat(streamed.hasNext()).isFalse();
    }
    assertThat(mesh.config().service("echo").orElseThrow().routes())
        .extracting(r -> r.name())
        .containsExactly(
            "GRPCRoute/default/echo/rule-0/match-0", "GRPCRoute/default/echo/rule-1/match-0");
  }
}
