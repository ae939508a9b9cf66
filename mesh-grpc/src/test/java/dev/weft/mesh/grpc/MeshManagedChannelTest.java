package dev.weft.mesh.grpc;

import static dev.weft.mesh.grpc.Backend.request;
import static dev.weft.mesh.grpc.Backend.response;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.api.config.Destination;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MeshManagedChannelTest extends MeshGrpcTestSupport {

  @Test
  void shutdownLetsCallsInFlightFinishAndRefusesNewOnes() throws Exception {
    CountDownLatch received = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    SimpleServiceGrpc.SimpleServiceImplBase gated =
        new SimpleServiceGrpc.SimpleServiceImplBase() {
          @Override
          public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
            received.countDown();
            new Thread(
                    () -> {
                      try {
                        release.await(5, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      out.onNext(response("done"));
                      out.onCompleted();
                    })
                .start();
          }
        };
    Backend a = serving("a", gated);
    start(config("v1", route(Destination.of("c")).build(), cluster("c", a)));
    MeshManagedChannel channel = grpc.managedChannelFor("mesh:///simple");
    assertThat(channel.service()).isEqualTo(SERVICE);

    var inFlight = SimpleServiceGrpc.newFutureStub(channel).unaryRpc(request("x"));
    assertThat(received.await(5, TimeUnit.SECONDS)).isTrue();
    channel.shutdown();
    assertThat(channel.isShutdown()).isTrue();
    assertThat(channel.isTerminated()).isFalse();
    assertThatThrownBy(() -> SimpleServiceGrpc.newBlockingStub(channel).unaryRpc(request("y")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    release.countDown();
    assertThat(inFlight.get(5, TimeUnit.SECONDS).getResponseMessage()).isEqualTo("done");
    assertThat(channel.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    // The shared connections stay for other channels.
    assertThat(SimpleServiceGrpc.newBlockingStub(grpc.channel(SERVICE)).unaryRpc(request("z")))
        .isNotNull();
  }

  @Test
  void shutdownNowCancelsCallsInFlight() throws Exception {
    CountDownLatch received = new CountDownLatch(1);
    SimpleServiceGrpc.SimpleServiceImplBase never =
        new SimpleServiceGrpc.SimpleServiceImplBase() {
          @Override
          public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
            received.countDown();
          }
        };
    Backend a = serving("a", never);
    start(config("v1", route(Destination.of("c")).build(), cluster("c", a)));
    MeshManagedChannel channel = grpc.managedChannel(SERVICE);
    var inFlight = SimpleServiceGrpc.newFutureStub(channel).unaryRpc(request("x"));
    assertThat(received.await(5, TimeUnit.SECONDS)).isTrue();
    channel.shutdownNow();
    assertThat(channel.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    assertThatThrownBy(() -> inFlight.get(5, TimeUnit.SECONDS))
        .satisfies(
            e ->
                assertThat(Status.fromThrowable(e.getCause()).getCode())
                    .isEqualTo(Status.Code.CANCELLED));
  }
}
