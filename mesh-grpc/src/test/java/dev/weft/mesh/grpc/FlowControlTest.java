package dev.weft.mesh.grpc;

import static dev.weft.mesh.grpc.Backend.request;
import static dev.weft.mesh.grpc.Backend.response;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weft.mesh.api.config.Destination;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The caller's request(n) governs delivery, and a cancel reaches the server. */
class FlowControlTest extends MeshGrpcTestSupport {

  /** Records what a raw ClientCall hears. */
  static final class Recorder extends ClientCall.Listener<SimpleResponse> {
    final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    final BlockingQueue<Status> closed = new LinkedBlockingQueue<>();

    @Override
    public void onMessage(SimpleResponse message) {
      messages.add(message.getResponseMessage());
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      closed.add(status);
    }
  }

  @Test
  void messagesArriveOnlyAsTheCallerRequestsThem() throws Exception {
    Backend a = echo("a");
    start(config("v1", route(Destination.of("c")).build(), cluster("c", a)));
    ClientCall<SimpleRequest, SimpleResponse> call =
        grpc.channel(SERVICE)
            .newCall(SimpleServiceGrpc.getServerStreamingRpcMethod(), CallOptions.DEFAULT);
    Recorder r = new Recorder();
    call.start(r, new Metadata());
    call.request(1);
    call.sendMessage(request("s"));
    call.halfClose();
    assertThat(r.messages.poll(5, TimeUnit.SECONDS)).isEqualTo("a:s:0");
    assertThat(r.messages.poll(300, TimeUnit.MILLISECONDS))
        .as("a message nobody asked for")
        .isNull();
    call.request(2);
    assertThat(r.messages.poll(5, TimeUnit.SECONDS)).isEqualTo("a:s:1");
    assertThat(r.messages.poll(5, TimeUnit.SECONDS)).isEqualTo("a:s:2");
    assertThat(r.closed.poll(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
  }

  @Test
  void cancellingACommittedStreamReachesTheServer() throws Exception {
    AtomicBoolean serverSawCancel = new AtomicBoolean();
    SimpleServiceGrpc.SimpleServiceImplBase echoUntilCancelled =
        new SimpleServiceGrpc.SimpleServiceImplBase() {
          @Override
          public StreamObserver<SimpleRequest> bidiStreamingRpc(
              StreamObserver<SimpleResponse> out) {
            return new StreamObserver<>() {
              @Override
              public void onNext(SimpleRequest value) {
                out.onNext(response("echo:" + value.getRequestMessage()));
              }

              @Override
              public void onError(Throwable t) {
                serverSawCancel.set(true);
              }

              @Override
              public void onCompleted() {
                out.onCompleted();
              }
            };
          }
        };
    Backend a = serving("a", echoUntilCancelled);
    start(config("v1", route(Destination.of("c")).build(), cluster("c", a)));
    ClientCall<SimpleRequest, SimpleResponse> call =
        grpc.channel(SERVICE)
            .newCall(SimpleServiceGrpc.getBidiStreamingRpcMethod(), CallOptions.DEFAULT);
    Recorder r = new Recorder();
    call.start(r, new Metadata());
    call.request(10);
    call.sendMessage(request("1"));
    assertThat(r.messages.poll(5, TimeUnit.SECONDS)).isEqualTo("echo:1");
    call.sendMessage(request("2"));
    assertThat(r.messages.poll(5, TimeUnit.SECONDS)).isEqualTo("echo:2");
    call.cancel("the caller is done", null);
    Status status = r.closed.poll(5, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(Status.Code.CANCELLED);
    assertThat(status.getDescription()).isEqualTo("the caller is done");
    await().atMost(Duration.ofSeconds(2)).untilTrue(serverSawCancel);
    assertThat(r.closed).isEmpty();
  }
}
