package dev.weft.mesh.xds.internal.client;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC side of one bidirectional ADS call, shared by both forms of the stream: requests go out
 * through {@link #send}, and responses, readiness and the end of the call hop onto the work thread.
 *
 * @param <Q> the request message
 * @param <R> the response message
 */
final class StreamCall<Q, R> implements ClientResponseObserver<Q, R> {
  private static final Logger log = LoggerFactory.getLogger(StreamCall.class);

  private final Executor work;
  private final Runnable onReady;
  private final Consumer<R> onResponse;
  private final Consumer<Status> onClosed;
  private volatile ClientCallStreamObserver<Q> requests;

  StreamCall(Executor work, Runnable onReady, Consumer<R> onResponse, Consumer<Status> onClosed) {
    this.work = work;
    this.onReady = onReady;
    this.onResponse = onResponse;
    this.onClosed = onClosed;
  }

  void send(Q request) {
    try {
      requests.onNext(request);
    } catch (RuntimeException e) {
      // The call is ending; onError will say why and the stream will be replaced.
      log.debug("cannot send on the ADS stream: {}", e.toString());
    }
  }

  void cancel(String why) {
    try {
      if (requests != null) {
        requests.cancel(why, null);
      }
    } catch (RuntimeException e) {
      log.debug("cancelling the ADS stream: {}", e.toString());
    }
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<Q> requestStream) {
    requests = requestStream;
    requestStream.setOnReadyHandler(() -> work.execute(onReady));
  }

  @Override
  public void onNext(R response) {
    work.execute(() -> onResponse.accept(response));
  }

  @Override
  public void onError(Throwable t) {
    Status status = Status.fromThrowable(t);
    work.execute(() -> onClosed.accept(status));
  }

  @Override
  public void onCompleted() {
    work.execute(
        () -> onClosed.accept(Status.UNAVAILABLE.withDescription("the server ended the stream")));
  }
}
