package dev.weft.mesh.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.mesh.grpc.MeshGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.grpc.client.ChannelBuilderOptions;
import org.springframework.grpc.client.GrpcChannelFactory;

class MeshGrpcAutoConfigurationTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  MeshXdsAutoConfiguration.class,
                  MeshAutoConfiguration.class,
                  MeshGrpcAutoConfiguration.class));

  @TempDir Path dir;
  private Server server;
  private Path config;

  @BeforeEach
  void start() throws Exception {
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(
                new SimpleServiceGrpc.SimpleServiceImplBase() {
                  @Override
                  public void unaryRpc(
                      SimpleRequest request, StreamObserver<SimpleResponse> responses) {
                    responses.onNext(
                        SimpleResponse.newBuilder()
                            .setResponseMessage("hello " + request.getRequestMessage())
                            .build());
                    responses.onCompleted();
                  }
                })
            .build()
            .start();
    config = dir.resolve("mesh.yaml");
    Files.writeString(
        config,
        """
        clusters:
          simple:
            endpoints:
              - address: 127.0.0.1:%d
        """
            .formatted(server.getPort()));
  }

  @AfterEach
  void stop() throws Exception {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void meshTargetsWorkThroughSpringGrpcsChannelFactory() {
    runner
        .withPropertyValues("weft.mesh.config.file=" + config)
        .run(
            context -> {
              assertThat(context)
                  .hasSingleBean(MeshGrpc.class)
                  .hasSingleBean(MeshGrpcChannelFactory.class);
              GrpcChannelFactory factory = context.getBean(MeshGrpcChannelFactory.class);
              assertThat(factory.supports("mesh:///simple")).isTrue();
              assertThat(factory.supports("dns:///localhost:9090")).isFalse();
              ManagedChannel channel =
                  factory.createChannel("mesh:///simple", ChannelBuilderOptions.defaults());
              SimpleResponse r =
                  SimpleServiceGrpc.newBlockingStub(channel)
                      .unaryRpc(SimpleRequest.newBuilder().setRequestMessage("mesh").build());
              assertThat(r.getResponseMessage()).isEqualTo("hello mesh");
              channel.shutdownNow();
            });
  }

  @Test
  void stubsCanUseAChannelForALogicalService() {
    runner
        .withPropertyValues("weft.mesh.config.file=" + config)
        .run(
            context -> {
              MeshGrpc grpc = context.getBean(MeshGrpc.class);
              SimpleResponse r =
                  SimpleServiceGrpc.newBlockingStub(grpc.channel("simple"))
                      .unaryRpc(SimpleRequest.newBuilder().setRequestMessage("stub").build());
              assertThat(r.getResponseMessage()).isEqualTo("hello stub");
            });
  }

  @Test
  void withoutSpringGrpcThereIsNoChannelFactoryButStillAMeshGrpc() {
    runner
        .withPropertyValues("weft.mesh.config.file=" + config)
        .withClassLoader(new FilteredClassLoader(GrpcChannelFactory.class))
        .run(
            context ->
                assertThat(context)
                    .hasSingleBean(MeshGrpc.class)
                    .doesNotHaveBean(MeshGrpcChannelFactory.class));
  }
}
