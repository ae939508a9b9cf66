package dev.weft.mesh.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.core.StaticConfigSource;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;

/**
 * Shared set-up for the integration tests: loopback backends, a mesh, a mesh gRPC client, and at
 * the end of every test the check that nothing leaked (no open endpoint connection, every server
 * terminated, no Weft thread left).
 */
abstract class MeshGrpcTestSupport {
  static final String SERVICE = "simple";

  final List<Backend> backends = new ArrayList<>();
  StaticConfigSource source;
  Mesh mesh;
  MeshGrpc grpc;

  Backend echo(String name) {
    Backend b = Backend.echo(name);
    backends.add(b);
    return b;
  }

  Backend serving(String name, SimpleServiceGrpc.SimpleServiceImplBase service) {
    Backend b = Backend.serving(name, service);
    backends.add(b);
    return b;
  }

  static Cluster cluster(String name, Backend... members) {
    return cluster(name, c -> {}, members);
  }

  static Cluster cluster(String name, Consumer<Cluster.Builder> tune, Backend... members) {
    Cluster.Builder b =
        Cluster.builder(name).endpoints(Arrays.stream(members).map(Backend::endpoint).toList());
    tune.accept(b);
    return b.build();
  }

  /** A configuration whose service {@value #SERVICE} has one route. */
  static MeshConfig config(String version, Route route, Cluster... clusters) {
    MeshConfig.Builder b =
        MeshConfig.builder().version(version).service(Service.of(SERVICE, route));
    for (Cluster c : clusters) {
      b.cluster(c);
    }
    return b.build();
  }

  static Route.Builder route(Destination... destinations) {
    return Route.builder("main").destinations(destinations);
  }

  /** Starts the mesh and the client. */
  void start(MeshConfig config) {
    start(config, Mesh.builder(), MeshGrpc::builder);
  }

  void start(
      MeshConfig config,
      Mesh.Builder meshBuilder,
      java.util.function.Function<Mesh, MeshGrpc.Builder> grpcBuilder) {
    source = new StaticConfigSource(config);
    mesh = meshBuilder.name("test").configSource(source).build();
    grpc = grpcBuilder.apply(mesh).build();
  }

  SimpleServiceGrpc.SimpleServiceBlockingStub blocking() {
    return SimpleServiceGrpc.newBlockingStub(grpc.channel(SERVICE));
  }

  SimpleServiceGrpc.SimpleServiceStub async() {
    return SimpleServiceGrpc.newStub(grpc.channel(SERVICE));
  }

  @AfterEach
  void closeAndCheckNothingLeaked() throws Exception {
    if (grpc != null) {
      grpc.close();
      assertThat(grpc.openConnections()).as("endpoint connections after close").isZero();
    }
    if (mesh != null) {
      mesh.close();
    }
    for (Backend b : backends) {
      b.close();
      assertThat(b.terminated()).isTrue();
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(weftThreads()).as("Weft threads left").isEmpty());
  }

  static List<String> weftThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith("weft-"))
        .toList();
  }
}
