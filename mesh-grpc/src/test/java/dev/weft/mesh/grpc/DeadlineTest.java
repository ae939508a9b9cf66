package dev.weft.mesh.grpc;

import static dev.weft.mesh.grpc.Backend.request;
import static dev.weft.mesh.grpc.Backend.response;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.weft.mesh.api.config.Destination;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Route timeouts go out as grpc-timeout and end the call with DEADLINE_EXCEEDED. */
class DeadlineTest extends MeshGrpcTestSupport {
  private final ScheduledExecutorService slowness = Executors.newSingleThreadScheduledExecutor();
  private final AtomicBoolean serverSawCancellation = new AtomicBoolean();
  private final AtomicLong serverDeadlineMillis = new AtomicLong(-1);

  @AfterEach
  void stopSlowness() throws InterruptedException {
    slowness.shutdownNow();
    assertThat(slowness.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  /** Answers after one second, unless the call is cancelled first; answers a warm-up at once. */
  private final SimpleServiceGrpc.SimpleServiceImplBase slow =
      new SimpleServiceGrpc.SimpleServiceImplBase() {
        @Override
        public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
          if (request.getRequestMessage().equals("warm-up")) {
            out.onNext(response("warm"));
            out.onCompleted();
            return;
          }
          Context ctx = Context.current();
          Deadline d = ctx.getDeadline();
          serverDeadlineMillis.set(
              d == null ? Long.MAX_VALUE : d.timeRemaining(TimeUnit.MILLISECONDS));
          ctx.addListener(c -> serverSawCancellation.set(true), Runnable::run);
          slowness.schedule(
              () -> {
                if (!ctx.isCancelled()) {
                  out.onNext(response("late"));
                  out.onCompleted();
                }
              },
              1,
              TimeUnit.SECONDS);
        }
      };

  @Test
  void routeTimeoutEndsTheCallWithDeadlineExceededAndTheServerSeesTheCancellation() {
    Backend a = serving("slow", slow);
    start(
        config(
            "v1",
            route(Destination.of("c")).timeout(Duration.ofMillis(200)).build(),
            cluster("c", a)));
    blockingWarmUp();

    long start = System.nanoTime();
    assertThatThrownBy(() -> blocking().unaryRpc(request("x")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(tookMillis).isBetween(150L, 800L);
    await().atMost(Duration.ofSeconds(1)).until(() -> serverDeadlineMillis.get() != -1);
    assertThat(serverDeadlineMillis.get())
        .as("deadline the server got through grpc-timeout")
        .isBetween(1L, 200L);
    await().atMost(Duration.ofSeconds(1)).untilTrue(serverSawCancellation);
  }

  @Test
  void callerDeadlineShorterThanTheRouteTimeoutWins() {
    Backend a = serving("slow", slow);
    start(
        config(
            "v1",
            route(Destination.of("c")).timeout(Duration.ofSeconds(5)).build(),
            cluster("c", a)));
    blockingWarmUp();
    long start = System.nanoTime();
    assertThatThrownBy(
            () -> blocking().withDeadlineAfter(150, TimeUnit.MILLISECONDS).unaryRpc(request("x")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(800L);
    await().atMost(Duration.ofSeconds(1)).until(() -> serverDeadlineMillis.get() != -1);
    assertThat(serverDeadlineMillis.get()).isBetween(1L, 150L);
    await().atMost(Duration.ofSeconds(1)).untilTrue(serverSawCancellation);
  }

  @Test
  void perTryTimeoutRetriesOnAnotherEndpoint() {
    Backend slowOne = serving("slow", slow);
    Backend fast = echo("fast");
    dev.weft.mesh.api.config.RetryPolicy retry =
        dev.weft.mesh.api.config.RetryPolicy.builder()
            .maxAttempts(2)
            .perTryTimeout(Duration.ofMillis(100))
            .retryOn(dev.weft.mesh.api.config.RetryOn.DEADLINE_EXCEEDED)
            .initialBackoff(Duration.ofMillis(1))
            .maxBackoff(Duration.ofMillis(2))
            .build();
    start(
        config(
            "v1",
            route(Destination.of("c")).timeout(Duration.ofSeconds(2)).retry(retry).build(),
            cluster(
                "c",
                cb -> cb.outlierDetection(dev.weft.mesh.api.config.OutlierDetection.DISABLED),
                slowOne,
                fast)));
    blockingWarmUp();
    for (int i = 0; i < 4; i++) {
      long start = System.nanoTime();
      assertThat(blocking().unaryRpc(request("t")).getResponseMessage()).isEqualTo("fast:t");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(700L);
    }
    assertThat(serverDeadlineMillis.get())
        .as("the slow server got the per-try deadline")
        .isBetween(1L, 100L);
  }

  @Test
  void callerCancellationReachesTheServer() throws Exception {
    Backend a = serving("slow", slow);
    start(config("v1", route(Destination.of("c")).build(), cluster("c", a)));
    blockingWarmUp();
    CountDownLatch closed = new CountDownLatch(1);
    Status[] status = new Status[1];
    Context.CancellableContext ctx = Context.current().withCancellation();
    ctx.run(
        () ->
            async()
                .unaryRpc(
                    request("x"),
                    new StreamObserver<>() {
                      @Override
                      public void onNext(SimpleResponse value) {}

                      @Override
                      public void onError(Throwable t) {
                        status[0] = Status.fromThrowable(t);
                        closed.countDown();
                      }

                      @Override
                      public void onCompleted() {
                        closed.countDown();
                      }
                    }));
    await().atMost(Duration.ofSeconds(2)).until(() -> serverDeadlineMillis.get() != -1);
    ctx.cancel(null);
    assertThat(closed.await(2, TimeUnit.SECONDS)).isTrue();
    assertThat(status[0].getCode()).isEqualTo(Status.Code.CANCELLED);
    await().atMost(Duration.ofSeconds(1)).untilTrue(serverSawCancellation);
  }

  /** Opens the connection first, so timings measure calls and not the TCP handshake. */
  private void blockingWarmUp() {
    blocking().unaryRpc(request("warm-up"));
  }
}
