package dev.weft.mesh.grpc;

import static dev.weft.mesh.grpc.Backend.request;
import static dev.weft.mesh.grpc.Backend.response;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.RetryOn;
import dev.weft.mesh.api.config.RetryPolicy;
import dev.weft.mesh.core.Mesh;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * gRPC's rule for streams: retried only before the first response arrives, with the sent messages
 * replayed.
 */
class StreamingRetryTest extends MeshGrpcTestSupport {
  private static final RetryPolicy RETRY_UNAVAILABLE =
      RetryPolicy.builder()
          .maxAttempts(3)
          .retryOn(RetryOn.UNAVAILABLE)
          .initialBackoff(Duration.ofMillis(1))
          .maxBackoff(Duration.ofMillis(2))
          .build();

  /** Streams one message, then fails with UNAVAILABLE. */
  static final class OneThenUnavailable extends SimpleServiceGrpc.SimpleServiceImplBase {
    final AtomicInteger calls;

    OneThenUnavailable(AtomicInteger calls) {
      this.calls = calls;
    }

    @Override
    public void serverStreamingRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
      calls.incrementAndGet();
      out.onNext(response("first"));
      out.onError(Backend.unavailable("broke after one message").asRuntimeException());
    }
  }

  /**
   * Collects a client stream's messages; the first call anywhere fails with UNAVAILABLE once the
   * client half-closes, before any response; later calls answer with all messages joined.
   */
  static final class FirstCallFails extends SimpleServiceGrpc.SimpleServiceImplBase {
    final String name;
    final AtomicInteger shared;

    FirstCallFails(String name, AtomicInteger shared) {
      this.name = name;
      this.shared = shared;
    }

    @Override
    public StreamObserver<SimpleRequest> clientStreamingRpc(StreamObserver<SimpleResponse> out) {
      int n = shared.incrementAndGet();
      return collect(out, n);
    }

    @Override
    public StreamObserver<SimpleRequest> bidiStreamingRpc(StreamObserver<SimpleResponse> out) {
      int n = shared.incrementAndGet();
      return collect(out, n);
    }

    private StreamObserver<SimpleRequest> collect(StreamObserver<SimpleResponse> out, int n) {
      StringBuilder all = new StringBuilder();
      return new StreamObserver<>() {
        @Override
        public void onNext(SimpleRequest value) {
          all.append(value.getRequestMessage());
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          if (n == 1) {
            out.onError(Backend.unavailable("first call fails").asRuntimeException());
          } else {
            out.onNext(response(name + ":" + all));
            out.onCompleted();
          }
        }
      };
    }
  }

  @Test
  void streamThatReceivedAMessageIsNeverRetried() {
    AtomicInteger calls = new AtomicInteger();
    Backend a = serving("a", new OneThenUnavailable(calls));
    Backend b = serving("b", new OneThenUnavailable(calls));
    start(
        config(
            "v1", route(Destination.of("c")).retry(RETRY_UNAVAILABLE).build(), cluster("c", a, b)));

    List<String> got = new ArrayList<>();
    assertThatThrownBy(
            () ->
                blocking()
                    .serverStreamingRpc(request("s"))
                    .forEachRemaining(r -> got.add(r.getResponseMessage())))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    assertThat(got).containsExactly("first");
    assertThat(calls.get()).as("attempts the servers saw").isEqualTo(1);
  }

  @Test
  void clientStreamThatFailedBeforeAnyResponseIsRetriedWithItsMessagesReplayed() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Backend a = serving("a", new FirstCallFails("a", calls));
    Backend b = serving("b", new FirstCallFails("b", calls));
    start(
        config(
            "v1", route(Destination.of("c")).retry(RETRY_UNAVAILABLE).build(), cluster("c", a, b)));

    MeshChannelTest.Collector out = new MeshChannelTest.Collector();
    StreamObserver<SimpleRequest> in = async().clientStreamingRpc(out);
    in.onNext(request("x"));
    in.onNext(request("y"));
    in.onNext(request("z"));
    in.onCompleted();
    List<String> result = out.done.get(5, TimeUnit.SECONDS);
    assertThat(result).hasSize(1);
    assertThat(result.get(0)).endsWith(":xyz");
    assertThat(calls.get()).isEqualTo(2);
  }

  @Test
  void bidiStreamThatFailedBeforeAnyResponseIsRetried() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Backend a = serving("a", new FirstCallFails("a", calls));
    Backend b = serving("b", new FirstCallFails("b", calls));
    start(
        config(
            "v1", route(Destination.of("c")).retry(RETRY_UNAVAILABLE).build(), cluster("c", a, b)));

    MeshChannelTest.Collector out = new MeshChannelTest.Collector();
    StreamObserver<SimpleRequest> in = async().bidiStreamingRpc(out);
    in.onNext(request("1"));
    in.onNext(request("2"));
    in.onCompleted();
    assertThat(out.done.get(5, TimeUnit.SECONDS).get(0)).endsWith(":12");
    assertThat(calls.get()).isEqualTo(2);
  }

  @Test
  void streamThatOutgrewTheReplayBufferIsNotRetried() {
    AtomicInteger calls = new AtomicInteger();
    Backend a = serving("a", new FirstCallFails("a", calls));
    Backend b = serving("b", new FirstCallFails("b", calls));
    start(
        config(
            "v1", route(Destination.of("c")).retry(RETRY_UNAVAILABLE).build(), cluster("c", a, b)),
        Mesh.builder(),
        m -> MeshGrpc.builder(m).maxReplayBufferBytes(16));

    MeshChannelTest.Collector out = new MeshChannelTest.Collector();
    StreamObserver<SimpleRequest> in = async().clientStreamingRpc(out);
    in.onNext(request("0123456789"));
    in.onNext(request("0123456789"));
    in.onCompleted();
    assertThatThrownBy(() -> out.done.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .satisfies(
            e ->
                assertThat(Status.fromThrowable(e.getCause()).getCode())
                    .isEqualTo(Status.Code.UNAVAILABLE));
    assertThat(calls.get()).isEqualTo(1);
  }

  @Test
  void idempotentMethodsOnlyLeavesOtherMethodsUnretried() {
    AtomicInteger calls = new AtomicInteger();
    SimpleServiceGrpc.SimpleServiceImplBase alwaysUnavailable =
        new SimpleServiceGrpc.SimpleServiceImplBase() {
          @Override
          public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
            calls.incrementAndGet();
            out.onError(Backend.unavailable("down").asRuntimeException());
          }
        };
    Backend a = serving("a", alwaysUnavailable);
    start(
        config("v1", route(Destination.of("c")).retry(RETRY_UNAVAILABLE).build(), cluster("c", a)),
        Mesh.builder(),
        m -> MeshGrpc.builder(m).idempotentMethodsOnly(true));
    assertThatThrownBy(() -> blocking().unaryRpc(request("x")))
        .isInstanceOf(StatusRuntimeException.class);
    assertThat(calls.get()).as("UnaryRpc is not marked idempotent").isEqualTo(1);
  }

  @Test
  void defaultTimeoutAppliesToCallsWithoutADeadline() {
    SimpleServiceGrpc.SimpleServiceImplBase never =
        new SimpleServiceGrpc.SimpleServiceImplBase() {
          @Override
          public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
            // never answers; the caller's deadline ends the call
          }
        };
    Backend a = serving("a", never);
    start(
        config("v1", route(Destination.of("c")).build(), cluster("c", a)),
        Mesh.builder(),
        m -> MeshGrpc.builder(m).defaultTimeout(Duration.ofMillis(100)));
    assertThatThrownBy(() -> blocking().unaryRpc(request("x")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
  }

  @Test
  void unaryCallFailingWithUnavailableIsRetried() {
    AtomicInteger calls = new AtomicInteger();
    SimpleServiceGrpc.SimpleServiceImplBase firstFails =
        new SimpleServiceGrpc.SimpleServiceImplBase() {
          @Override
          public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
            if (calls.incrementAndGet() == 1) {
              out.onError(Backend.unavailable("first call fails").asRuntimeException());
            } else {
              out.onNext(response("ok"));
              out.onCompleted();
            }
          }
        };
    Backend a = serving("a", firstFails);
    start(
        config("v1", route(Destination.of("c")).retry(RETRY_UNAVAILABLE).build(), cluster("c", a)));
    assertThat(blocking().unaryRpc(request("x")).getResponseMessage()).isEqualTo("ok");
    assertThat(calls.get()).isEqualTo(2);
  }
}
