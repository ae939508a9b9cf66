package dev.weft.mesh.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * An application whose gRPC client is built the usual way, {@code
 * ManagedChannelBuilder.forTarget("mesh:///ratings")}, with no Weft type in sight: the starter's
 * registration sends its calls through the mesh, which routes them to the v2 subset only.
 */
@SpringBootTest(
    classes = MeshTargetChannelApplicationTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.NONE)
class MeshTargetChannelApplicationTest {
  private static final Server V1 = backend("v1");
  private static final Server V2 = backend("v2");

  private static Server backend(String name) {
    try {
      return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
          .addService(
              new SimpleServiceGrpc.SimpleServiceImplBase() {
                @Override
                public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
                  out.onNext(
                      SimpleResponse.newBuilder()
                          .setResponseMessage(name + ":" + request.getRequestMessage())
                          .build());
                  out.onCompleted();
                }
              })
          .build()
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @DynamicPropertySource
  static void meshConfig(DynamicPropertyRegistry registry) throws IOException {
    Path file = Files.createTempDirectory("weft-grpc-target").resolve("mesh.yaml");
    Files.writeString(
        file,
        """
        version: "grpc-target-1"
        clusters:
          ratings:
            endpoints:
              - {address: 127.0.0.1:%d, labels: {version: v1}}
              - {address: 127.0.0.1:%d, labels: {version: v2}}
            subsets:
              v1: {version: v1}
              v2: {version: v2}
        services:
          ratings:
            routes:
              - name: v2-only
                destinations:
                  - {cluster: ratings, subset: v2}
        """
            .formatted(V1.getPort(), V2.getPort()));
    registry.add("weft.mesh.config.file", file::toString);
  }

  @AfterAll
  static void stopBackends() throws InterruptedException {
    for (Server s : new Server[] {V1, V2}) {
      s.shutdownNow();
      assertThat(s.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  @SpringBootApplication
  static class App {
    @Bean(destroyMethod = "shutdownNow")
    ManagedChannel ratingsChannel() {
      return ManagedChannelBuilder.forTarget("mesh:///ratings").build();
    }

    @Bean
    SimpleServiceGrpc.SimpleServiceBlockingStub ratings(ManagedChannel ratingsChannel) {
      return SimpleServiceGrpc.newBlockingStub(ratingsChannel);
    }
  }

  @Autowired SimpleServiceGrpc.SimpleServiceBlockingStub ratings;

  @Test
  void aChannelBuiltFromTheTargetStringReachesTheBackendThroughTheMesh() {
    for (int i = 0; i < 20; i++) {
      assertThat(
              ratings
                  .unaryRpc(SimpleRequest.newBuilder().setRequestMessage("r" + i).build())
                  .getResponseMessage())
          .as("the route sends every call to the v2 subset")
          .isEqualTo("v2:r" + i);
    }
  }
}
