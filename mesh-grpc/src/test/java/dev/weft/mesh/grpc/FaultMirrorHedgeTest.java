package dev.weft.mesh.grpc;

import static dev.weft.mesh.grpc.Backend.request;
import static dev.weft.mesh.grpc.Backend.response;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.FaultInjection;
import dev.weft.mesh.api.config.HedgingPolicy;
import dev.weft.mesh.api.config.MirrorPolicy;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The engine's fault injection, mirroring and hedging, end to end over gRPC. */
class FaultMirrorHedgeTest extends MeshGrpcTestSupport {
  private final ScheduledExecutorService slowness = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stopSlowness() throws InterruptedException {
    slowness.shutdownNow();
    assertThat(slowness.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  private static FaultInjection abort(int httpStatus, String grpcStatus) {
    return new FaultInjection(
        FaultInjection.Delay.NONE,
        new FaultInjection.Abort(httpStatus, grpcStatus, 100),
        List.of());
  }

  private Status.Code codeOf(Runnable call) {
    try {
      call.run();
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  @Test
  void abortWithAGrpcStatusNeverReachesTheServer() {
    Backend a = echo("a");
    start(
        config(
            "v1",
            route(Destination.of("c")).fault(abort(503, "RESOURCE_EXHAUSTED")).build(),
            cluster("c", a)));
    assertThatThrownBy(() -> blocking().unaryRpc(request("x")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
              assertThat(e.getStatus().getDescription()).contains("fault injected");
            });
    assertThat(a.calls.get()).isZero();
  }

  @Test
  void abortWithAnHttpStatusMapsAsGrpcDoes() {
    Backend a = echo("a");
    start(config("v1", route(Destination.of("c")).fault(abort(503, "")).build(), cluster("c", a)));
    assertThat(codeOf(() -> blocking().unaryRpc(request("x")))).isEqualTo(Status.Code.UNAVAILABLE);
    source.update(
        config("v2", route(Destination.of("c")).fault(abort(403, "")).build(), cluster("c", a)));
    assertThat(codeOf(() -> blocking().unaryRpc(request("x"))))
        .isEqualTo(Status.Code.PERMISSION_DENIED);
    source.update(
        config("v3", route(Destination.of("c")).fault(abort(404, "")).build(), cluster("c", a)));
    assertThat(codeOf(() -> blocking().unaryRpc(request("x"))))
        .isEqualTo(Status.Code.UNIMPLEMENTED);
    assertThat(a.calls.get()).isZero();
  }

  @Test
  void abortAppliesToStreamingCallsToo() throws Exception {
    Backend a = echo("a");
    start(
        config(
            "v1",
            route(Destination.of("c")).fault(abort(503, "ABORTED")).build(),
            cluster("c", a)));
    MeshChannelTest.Collector out = new MeshChannelTest.Collector();
    StreamObserver<SimpleRequest> in = async().bidiStreamingRpc(out);
    in.onNext(request("1"));
    in.onCompleted();
    assertThatThrownBy(() -> out.done.get(5, TimeUnit.SECONDS))
        .satisfies(
            e ->
                assertThat(Status.fromThrowable(e.getCause()).getCode())
                    .isEqualTo(Status.Code.ABORTED));
    assertThat(a.calls.get()).isZero();
  }

  @Test
  void delayFaultDelaysTheCall() {
    Backend a = echo("a");
    FaultInjection delay =
        new FaultInjection(
            new FaultInjection.Delay(Duration.ofMillis(150), 100),
            FaultInjection.Abort.NONE,
            List.of());
    start(config("v1", route(Destination.of("c")).fault(delay).build(), cluster("c", a)));
    long start = System.nanoTime();
    assertThat(blocking().unaryRpc(request("x")).getResponseMessage()).isEqualTo("a:x");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(140);
  }

  @Test
  void mirroredCallsReachTheShadowAndLeaveTheCallerAlone() throws Exception {
    Backend a = echo("a");
    Backend shadow = echo("shadow");
    start(
        config(
            "v1",
            route(Destination.of("c"))
                .mirrors(List.of(new MirrorPolicy("shadow", "", 100)))
                .build(),
            cluster("c", a),
            cluster("shadow", shadow)));

    assertThat(blocking().unaryRpc(request("x")).getResponseMessage()).isEqualTo("a:x");
    await().atMost(Duration.ofSeconds(2)).until(() -> shadow.calls.get() == 1);

    MeshChannelTest.Collector out = new MeshChannelTest.Collector();
    StreamObserver<SimpleRequest> in = async().clientStreamingRpc(out);
    in.onNext(request("p"));
    in.onNext(request("q"));
    in.onCompleted();
    assertThat(out.done.get(5, TimeUnit.SECONDS)).containsExactly("a:pq");
    await().atMost(Duration.ofSeconds(2)).until(() -> shadow.calls.get() == 2);

    shadow.kill();
    assertThat(blocking().unaryRpc(request("y")).getResponseMessage()).isEqualTo("a:y");
  }

  @Test
  void hedgeWinsOverASlowBackendAndTheLoserIsCancelled() {
    AtomicInteger slowCancelled = new AtomicInteger();
    SimpleServiceGrpc.SimpleServiceImplBase slow =
        new SimpleServiceGrpc.SimpleServiceImplBase() {
          @Override
          public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
            Context ctx = Context.current();
            ctx.addListener(c -> slowCancelled.incrementAndGet(), Runnable::run);
            slowness.schedule(
                () -> {
                  if (!ctx.isCancelled()) {
                    out.onNext(response("slow"));
                    out.onCompleted();
                  }
                },
                1,
                TimeUnit.SECONDS);
          }
        };
    Backend s = serving("slow", slow);
    Backend f = echo("fast");
    start(
        config(
            "v1",
            route(Destination.of("c"))
                .hedging(HedgingPolicy.fixed(2, Duration.ofMillis(50)))
                .build(),
            cluster("c", s, f)));
    for (int i = 0; i < 4; i++) {
      long start = System.nanoTime();
      assertThat(blocking().unaryRpc(request("h")).getResponseMessage()).isEqualTo("fast:h");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(700);
    }
    await().atMost(Duration.ofSeconds(2)).until(() -> slowCancelled.get() >= 1);
  }
}
