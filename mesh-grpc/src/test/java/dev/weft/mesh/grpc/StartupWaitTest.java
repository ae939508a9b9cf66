package dev.weft.mesh.grpc;

import static dev.weft.mesh.grpc.Backend.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.spi.StartupMode;
import dev.weft.mesh.config.file.FileConfigSource;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.core.StaticConfigSource;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calls through the mesh channel made before the mesh's first configuration wait for it, as
 * grpc-java's own channels wait for their first name resolution.
 */
class StartupWaitTest extends MeshGrpcTestSupport {

  private void startPending(StaticConfigSource pending, Duration startupWait) {
    source = pending;
    mesh = Mesh.builder().name("test").configSource(pending).startupWait(startupWait).build();
    grpc = MeshGrpc.builder(mesh).build();
  }

  @Test
  void aCallMadeBeforeTheFirstConfigurationSucceedsOnceItArrives() throws Exception {
    Backend a = echo("a");
    startPending(StaticConfigSource.pending(), Duration.ofSeconds(30));

    long start = System.nanoTime();
    CompletableFuture<SimpleResponse> answer =
        CompletableFuture.supplyAsync(() -> blocking().unaryRpc(request("early")));
    // The async stub's call returns at once: the caller's thread is not held.
    com.google.common.util.concurrent.ListenableFuture<SimpleResponse> viaFuture =
        SimpleServiceGrpc.newFutureStub(grpc.channel(SERVICE)).unaryRpc(request("future"));
    assertThat(viaFuture.isDone()).isFalse();
    assertThat(answer).isNotDone();

    source.update(config("v1", route(Destination.of("c")).build(), cluster("c", a)));

    assertThat(answer.get(10, TimeUnit.SECONDS).getResponseMessage()).isEqualTo("a:early");
    assertThat(viaFuture.get(10, TimeUnit.SECONDS).getResponseMessage()).isEqualTo("a:future");
    assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(10));
  }

  @Test
  void aCallWithAShortDeadlineFailsAtItSayingWhatTheMeshWaitsFor() {
    startPending(StaticConfigSource.pending(), Duration.ofSeconds(30));

    long start = System.nanoTime();
    assertThatThrownBy(
            () -> blocking().withDeadlineAfter(300, TimeUnit.MILLISECONDS).unaryRpc(request("x")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(e.getStatus().getDescription())
                  .contains("mesh 'test' still has no configuration after the call waited")
                  .contains("StaticConfigSource.update has not been called");
            });
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(tookMillis).isBetween(250L, 5_000L);
  }

  @Test
  void aCancelledWaitingCallEndsCancelledAndNeverReachesTheServer() throws Exception {
    Backend a = echo("a");
    startPending(StaticConfigSource.pending(), Duration.ofSeconds(30));

    io.grpc.ClientCall<
            io.grpc.testing.protobuf.SimpleRequest, io.grpc.testing.protobuf.SimpleResponse>
        call =
            grpc.channel(SERVICE)
                .newCall(SimpleServiceGrpc.getUnaryRpcMethod(), io.grpc.CallOptions.DEFAULT);
    com.google.common.util.concurrent.ListenableFuture<SimpleResponse> f =
        ClientCalls.futureUnaryCall(call, request("never"));
    call.cancel("changed my mind", null);

    assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(StatusRuntimeException.class)
        .satisfies(
            e ->
                assertThat(((StatusRuntimeException) e.getCause()).getStatus().getCode())
                    .isEqualTo(Status.Code.CANCELLED));

    source.update(config("v1", route(Destination.of("c")).build(), cluster("c", a)));
    assertThat(blocking().unaryRpc(request("after")).getResponseMessage()).isEqualTo("a:after");
    assertThat(a.calls.get()).isEqualTo(1);
  }

  @Test
  void closingTheMeshFailsTheWaitingCalls() {
    startPending(StaticConfigSource.pending(), Duration.ofSeconds(30));
    com.google.common.util.concurrent.ListenableFuture<SimpleResponse> f =
        SimpleServiceGrpc.newFutureStub(grpc.channel(SERVICE)).unaryRpc(request("x"));
    assertThat(f.isDone()).isFalse();

    mesh.close();

    await().atMost(Duration.ofSeconds(10)).until(f::isDone);
    assertThatThrownBy(f::get)
        .hasCauseInstanceOf(StatusRuntimeException.class)
        .hasMessageContaining("UNAVAILABLE")
        .hasMessageContaining("mesh 'test' was closed before it had a configuration");
  }

  @Test
  void aFileSourceInWaitModeServesACallMadeBeforeItsFileAppeared(@TempDir Path dir)
      throws Exception {
    Backend a = echo("a");
    Path file = dir.resolve("mesh.yaml");
    mesh =
        Mesh.builder()
            .name("test")
            .configSource(
                FileConfigSource.builder(file)
                    .pollInterval(Duration.ofMillis(50))
                    .startupMode(StartupMode.WAIT)
                    .build())
            .build();
    grpc = MeshGrpc.create(mesh);
    assertThat(mesh.ready()).isFalse();
    com.google.common.util.concurrent.ListenableFuture<SimpleResponse> early =
        SimpleServiceGrpc.newFutureStub(grpc.channel(SERVICE)).unaryRpc(request("early"));
    assertThatThrownBy(
            () -> blocking().withDeadlineAfter(100, TimeUnit.MILLISECONDS).unaryRpc(request("x")))
        .hasMessageContaining("the file " + file.toAbsolutePath().normalize() + " to appear");

    Path tmp =
        Files.writeString(
            dir.resolve("mesh.yaml.tmp"),
            """
        version: "v1"
        services:
          simple:
            routes:
              - name: main
                destinations: [{cluster: a}]
        clusters:
          a:
            endpoints:
              - address: 127.0.0.1:%d
        """
                .formatted(a.port()));
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);

    assertThat(early.get(10, TimeUnit.SECONDS).getResponseMessage()).isEqualTo("a:early");
  }

  @Test
  void failFastFailsTheBuildAndAReadyMeshCallsAsBefore() {
    StaticConfigSource failFast = StaticConfigSource.pending(StartupMode.FAIL_FAST);
    assertThatThrownBy(
            () ->
                Mesh.builder()
                    .name("ff")
                    .configSource(failFast)
                    .startupWait(Duration.ofMillis(50))
                    .build())
        .hasMessageContaining("startup mode fail-fast")
        .hasMessageContaining("StaticConfigSource.update has not been called");

    Backend a = echo("a");
    StaticConfigSource ready = StaticConfigSource.pending(StartupMode.FAIL_FAST);
    ready.update(config("v1", route(Destination.of("c")).build(), cluster("c", a)));
    startPending(ready, Duration.ofMillis(50));
    assertThat(blocking().unaryRpc(request("x")).getResponseMessage()).isEqualTo("a:x");
  }
}
