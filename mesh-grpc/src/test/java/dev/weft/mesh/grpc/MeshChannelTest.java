package dev.weft.mesh.grpc;

import static dev.weft.mesh.grpc.Backend.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.MeshConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MeshChannelTest extends MeshGrpcTestSupport {

  private void startWithOneBackend() {
    Backend a = echo("a");
    start(config("v1", route(Destination.of("c")).build(), cluster("c", a)));
  }

  @Test
  void unaryCall() {
    startWithOneBackend();
    SimpleResponse r = blocking().unaryRpc(request("hi"));
    assertThat(r.getResponseMessage()).isEqualTo("a:hi");
    assertThat(grpc.openConnections()).isEqualTo(1);
  }

  @Test
  void serverStreamingCall() {
    startWithOneBackend();
    Iterator<SimpleResponse> it = blocking().serverStreamingRpc(request("s"));
    List<String> got = new ArrayList<>();
    it.forEachRemaining(r -> got.add(r.getResponseMessage()));
    assertThat(got).containsExactly("a:s:0", "a:s:1", "a:s:2");
  }

  @Test
  void clientStreamingCall() throws Exception {
    startWithOneBackend();
    Collector out = new Collector();
    StreamObserver<SimpleRequest> in = async().clientStreamingRpc(out);
    in.onNext(request("x"));
    in.onNext(request("y"));
    in.onNext(request("z"));
    in.onCompleted();
    assertThat(out.done.get(5, TimeUnit.SECONDS)).containsExactly("a:xyz");
  }

  @Test
  void bidiCall() throws Exception {
    startWithOneBackend();
    Collector out = new Collector();
    StreamObserver<SimpleRequest> in = async().bidiStreamingRpc(out);
    in.onNext(request("1"));
    in.onNext(request("2"));
    in.onCompleted();
    assertThat(out.done.get(5, TimeUnit.SECONDS)).containsExactly("a:1", "a:2");
  }

  /** What a raw listener heard, with the thread each event came on. */
  private static class RecordingListener extends io.grpc.ClientCall.Listener<SimpleResponse> {
    final List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
    final CompletableFuture<Status> closed = new CompletableFuture<>();

    private void record(String event) {
      events.add(event + "@" + Thread.currentThread().getName());
    }

    @Override
    public void onReady() {
      record("ready");
    }

    @Override
    public void onHeaders(io.grpc.Metadata headers) {
      record("headers");
    }

    @Override
    public void onMessage(SimpleResponse message) {
      record("message:" + message.getResponseMessage());
    }

    @Override
    public void onClose(Status status, io.grpc.Metadata trailers) {
      record("close:" + status.getCode());
      closed.complete(status);
    }
  }

  @Test
  void aListenerHearsEveryEventInOrderOnTheMeshThreadsAndNeverInsideTheCallersOwnCalls()
      throws Exception {
    startWithOneBackend();
    String caller = Thread.currentThread().getName();
    for (int i = 0; i < 50; i++) {
      RecordingListener listener = new RecordingListener();
      io.grpc.ClientCall<SimpleRequest, SimpleResponse> call =
          grpc.channel(SERVICE)
              .newCall(SimpleServiceGrpc.getUnaryRpcMethod(), io.grpc.CallOptions.DEFAULT);
      call.start(listener, new io.grpc.Metadata());
      call.request(1);
      call.sendMessage(request("m" + i));
      call.halfClose();
      assertThat(listener.closed.get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
      List<String> names =
          listener.events.stream().map(e -> e.substring(0, e.indexOf('@'))).toList();
      assertThat(names)
          .as("call %d", i)
          .containsSubsequence("headers", "message:a:m" + i, "close:OK");
      assertThat(names.get(names.size() - 1)).isEqualTo("close:OK");
      assertThat(listener.events)
          .as("every event on a mesh thread, none on the caller's")
          .allSatisfy(
              e ->
                  assertThat(e.substring(e.indexOf('@') + 1))
                      .startsWith("weft-grpc")
                      .isNotEqualTo(caller));
    }
  }

  @Test
  void aCallWithoutExecutorHearsItsResponseOnTheThreadTheAttemptReceivedItOn() throws Exception {
    Backend a = echo("a");
    // records the thread each attempt's response message arrives on, below the mesh's own listener
    List<String> attemptThreads = java.util.Collections.synchronizedList(new ArrayList<>());
    io.grpc.ClientInterceptor recorder =
        new io.grpc.ClientInterceptor() {
          @Override
          public <Q, R> io.grpc.ClientCall<Q, R> interceptCall(
              io.grpc.MethodDescriptor<Q, R> method,
              io.grpc.CallOptions options,
              io.grpc.Channel next) {
            return new io.grpc.ForwardingClientCall.SimpleForwardingClientCall<>(
                next.newCall(method, options)) {
              @Override
              public void start(Listener<R> listener, io.grpc.Metadata headers) {
                super.start(
                    new io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener<>(
                        listener) {
                      @Override
                      public void onMessage(R message) {
                        attemptThreads.add(Thread.currentThread().getName());
                        super.onMessage(message);
                      }
                    },
                    headers);
              }
            };
          }
        };
    start(
        config("v1", route(Destination.of("c")).build(), cluster("c", a)),
        dev.weft.mesh.core.Mesh.builder(),
        m -> MeshGrpc.builder(m).channelCustomizer(b -> b.intercept(recorder)));
    int sameThread = 0;
    for (int i = 0; i < 20; i++) {
      RecordingListener listener = new RecordingListener();
      io.grpc.ClientCall<SimpleRequest, SimpleResponse> call =
          grpc.channel(SERVICE)
              .newCall(SimpleServiceGrpc.getUnaryRpcMethod(), io.grpc.CallOptions.DEFAULT);
      // starting the call queues nothing for the listener (a unary call hears no onReady, as on a
      // plain channel), so the response can be heard on the thread it arrives on
      call.start(listener, new io.grpc.Metadata());
      call.request(1);
      call.sendMessage(request("m" + i));
      call.halfClose();
      assertThat(listener.closed.get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
      String heard =
          listener.events.stream().filter(e -> e.startsWith("message:")).findFirst().orElseThrow();
      if (heard.substring(heard.indexOf('@') + 1).equals(attemptThreads.get(i))) {
        sameThread++;
      }
    }
    // A hand-off always lands on another pool thread (the handing one is busy). A delivery can
    // still
    // be handed off in a rare race with the end of the previous drain, hence "nearly all".
    assertThat(sameThread)
        .as("calls whose response the listener heard on the attempt's thread")
        .isGreaterThanOrEqualTo(16);
  }

  @Test
  void aStreamingCallHearsOnReadyFromItsFirstAttemptBeforeItSendsAndAUnaryCallHearsNone()
      throws Exception {
    startWithOneBackend();
    RecordingListener streaming = new RecordingListener();
    io.grpc.ClientCall<SimpleRequest, SimpleResponse> bidi =
        grpc.channel(SERVICE)
            .newCall(SimpleServiceGrpc.getBidiStreamingRpcMethod(), io.grpc.CallOptions.DEFAULT);
    bidi.start(streaming, new io.grpc.Metadata());
    assertThat(bidi.isReady()).as("messages are buffered until the call commits").isTrue();
    // a caller that sends only once told it is ready still gets going
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> streaming.events.stream().anyMatch(e -> e.startsWith("ready@weft-grpc")));
    bidi.request(1);
    bidi.sendMessage(request("r"));
    bidi.halfClose();
    assertThat(streaming.closed.get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
    List<String> names =
        streaming.events.stream().map(e -> e.substring(0, e.indexOf('@'))).toList();
    assertThat(names).startsWith("ready").containsSubsequence("ready", "message:a:r", "close:OK");

    RecordingListener unary = new RecordingListener();
    io.grpc.ClientCall<SimpleRequest, SimpleResponse> call =
        grpc.channel(SERVICE)
            .newCall(SimpleServiceGrpc.getUnaryRpcMethod(), io.grpc.CallOptions.DEFAULT);
    call.start(unary, new io.grpc.Metadata());
    call.request(1);
    call.sendMessage(request("u"));
    call.halfClose();
    assertThat(unary.closed.get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
    assertThat(unary.events).noneMatch(e -> e.startsWith("ready@"));
  }

  @Test
  void aListenerThatCancelsFromInsideOnMessageStillHearsOneCloseLast() throws Exception {
    startWithOneBackend();
    for (int i = 0; i < 20; i++) {
      io.grpc.ClientCall<SimpleRequest, SimpleResponse> call =
          grpc.channel(SERVICE)
              .newCall(
                  SimpleServiceGrpc.getServerStreamingRpcMethod(), io.grpc.CallOptions.DEFAULT);
      RecordingListener listener =
          new RecordingListener() {
            @Override
            public void onMessage(SimpleResponse message) {
              super.onMessage(message);
              call.cancel("enough", null);
              call.request(1);
            }
          };
      call.start(listener, new io.grpc.Metadata());
      call.request(1);
      call.sendMessage(request("s"));
      call.halfClose();
      assertThat(listener.closed.get(5, TimeUnit.SECONDS).getCode())
          .isEqualTo(Status.Code.CANCELLED);
      await()
          .during(Duration.ofMillis(50))
          .atMost(Duration.ofSeconds(1))
          .untilAsserted(
              () -> {
                List<String> names =
                    listener.events.stream().map(e -> e.substring(0, e.indexOf('@'))).toList();
                assertThat(names.stream().filter(n -> n.startsWith("close:"))).hasSize(1);
                assertThat(names.get(names.size() - 1)).isEqualTo("close:CANCELLED");
              });
    }
  }

  @Test
  void cancellingFromTheCallersThreadClosesTheListenerOnAMeshThread() throws Exception {
    Backend slow =
        serving(
            "slow",
            new SimpleServiceGrpc.SimpleServiceImplBase() {
              @Override
              public void unaryRpc(
                  SimpleRequest request, StreamObserver<SimpleResponse> responseObserver) {
                // never answers: the caller cancels
              }
            });
    start(config("v1", route(Destination.of("c")).build(), cluster("c", slow)));
    RecordingListener listener = new RecordingListener();
    io.grpc.ClientCall<SimpleRequest, SimpleResponse> call =
        grpc.channel(SERVICE)
            .newCall(SimpleServiceGrpc.getUnaryRpcMethod(), io.grpc.CallOptions.DEFAULT);
    call.start(listener, new io.grpc.Metadata());
    call.request(1);
    call.sendMessage(request("x"));
    call.halfClose();
    call.cancel("the test cancels", null);
    assertThat(listener.closed.get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.CANCELLED);
    String close = listener.events.get(listener.events.size() - 1);
    assertThat(close).startsWith("close:CANCELLED@weft-grpc");
  }

  @Test
  void listenerRunsInTheCallersGrpcContext() throws Exception {
    startWithOneBackend();
    io.grpc.Context.Key<String> key = io.grpc.Context.key("tenant");
    CompletableFuture<String> seen = new CompletableFuture<>();
    io.grpc.Context.current()
        .withValue(key, "acme")
        .run(
            () ->
                async()
                    .unaryRpc(
                        request("x"),
                        new StreamObserver<>() {
                          @Override
                          public void onNext(SimpleResponse value) {
                            seen.complete(key.get());
                          }

                          @Override
                          public void onError(Throwable t) {
                            seen.completeExceptionally(t);
                          }

                          @Override
                          public void onCompleted() {}
                        }));
    assertThat(seen.get(5, TimeUnit.SECONDS)).isEqualTo("acme");
  }

  @Test
  void callInAnAlreadyCancelledContextEndsCancelled() throws Exception {
    startWithOneBackend();
    io.grpc.Context.CancellableContext ctx = io.grpc.Context.current().withCancellation();
    ctx.cancel(null);
    Collector out = new Collector();
    ctx.run(() -> async().unaryRpc(request("x"), out));
    assertThatThrownBy(() -> out.done.get(5, TimeUnit.SECONDS))
        .satisfies(
            e ->
                assertThat(Status.fromThrowable(e.getCause()).getCode())
                    .isEqualTo(Status.Code.CANCELLED));
  }

  @Test
  void cancelBeforeStartEndsCancelledAtStart() throws Exception {
    startWithOneBackend();
    io.grpc.ClientCall<io.grpc.testing.protobuf.SimpleRequest, SimpleResponse> call =
        grpc.channel(SERVICE)
            .newCall(SimpleServiceGrpc.getUnaryRpcMethod(), io.grpc.CallOptions.DEFAULT);
    call.cancel("never mind", null);
    CompletableFuture<Status> closed = new CompletableFuture<>();
    call.start(
        new io.grpc.ClientCall.Listener<>() {
          @Override
          public void onClose(Status status, io.grpc.Metadata trailers) {
            closed.complete(status);
          }
        },
        new io.grpc.Metadata());
    Status status = closed.get(5, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(Status.Code.CANCELLED);
    assertThat(status.getDescription()).isEqualTo("never mind");
  }

  @Test
  void unknownServiceFailsWithUnavailableNamingTheKnownServices() {
    startWithOneBackend();
    var stub = SimpleServiceGrpc.newBlockingStub(grpc.channel("nope"));
    assertThatThrownBy(() -> stub.unaryRpc(request("x")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(e.getStatus().getDescription())
                  .contains("unknown service 'nope'")
                  .contains("simple");
            });
  }

  @Test
  void targetFormNamesTheSameChannel() {
    startWithOneBackend();
    assertThat(grpc.channelFor("mesh:///simple")).isSameAs(grpc.channel(SERVICE));
    assertThat(grpc.channelFor("mesh:simple")).isSameAs(grpc.channel(SERVICE));
    assertThat(grpc.channelFor("mesh://control-plane/simple")).isSameAs(grpc.channel(SERVICE));
    assertThatThrownBy(() -> grpc.channelFor("dns:///simple"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("scheme must be 'mesh'");
    assertThatThrownBy(() -> grpc.channelFor("mesh:///"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("names no service");
    assertThat(grpc.channel(SERVICE).authority()).isEqualTo(SERVICE);
  }

  @Test
  void connectionClosesWhenItsEndpointLeavesTheConfiguration() {
    Backend a = echo("a");
    Backend b = echo("b");
    start(config("v1", route(Destination.of("c")).build(), cluster("c", a, b)));
    for (int i = 0; i < 10; i++) {
      blocking().unaryRpc(request("x"));
    }
    assertThat(grpc.openConnections()).isEqualTo(2);
    source.update(config("v2", route(Destination.of("c")).build(), cluster("c", a)));
    await().atMost(Duration.ofSeconds(5)).until(() -> grpc.openConnections() == 1);
    assertThat(blocking().unaryRpc(request("x")).getResponseMessage()).isEqualTo("a:x");
  }

  @Test
  void idleConnectionIsClosed() {
    Backend a = echo("a");
    MeshConfig config = config("v1", route(Destination.of("c")).build(), cluster("c", a));
    start(
        config,
        dev.weft.mesh.core.Mesh.builder(),
        m -> MeshGrpc.builder(m).idleTimeout(Duration.ofMillis(300)));
    blocking().unaryRpc(request("x"));
    assertThat(grpc.openConnections()).isEqualTo(1);
    await().atMost(Duration.ofSeconds(5)).until(() -> grpc.openConnections() == 0);
    assertThat(blocking().unaryRpc(request("y")).getResponseMessage()).isEqualTo("a:y");
  }

  @Test
  void callsAfterCloseFailWithUnavailable() {
    startWithOneBackend();
    grpc.close();
    assertThatThrownBy(() -> blocking().unaryRpc(request("x")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  /** Collects a response stream. */
  static final class Collector implements StreamObserver<SimpleResponse> {
    final List<String> messages = new ArrayList<>();
    final CompletableFuture<List<String>> done = new CompletableFuture<>();

    @Override
    public synchronized void onNext(SimpleResponse value) {
      messages.add(value.getResponseMessage());
    }

    @Override
    public void onError(Throwable t) {
      done.completeExceptionally(t);
    }

    @Override
    public synchronized void onCompleted() {
      done.complete(List.copyOf(messages));
    }
  }
}
