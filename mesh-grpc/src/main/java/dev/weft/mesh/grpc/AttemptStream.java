package dev.weft.mesh.grpc;

import dev.weft.mesh.core.spi.Attempt;
import dev.weft.mesh.core.spi.AttemptContext;
import dev.weft.mesh.core.spi.AttemptOutcome;
import dev.weft.mesh.core.spi.AttemptSink;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.concurrent.TimeUnit;

/**
 * One attempt of a {@link MeshClientCall}: a real call on one endpoint's channel, started by the
 * engine, whose callbacks meet the caller's side under the call's lock (see the call's threading
 * notes).
 */
final class AttemptStream<ReqT, RespT> extends ClientCall.Listener<RespT> implements Attempt {
  private final MeshClientCall<ReqT, RespT> owner;
  final AttemptContext context;
  final AttemptSink<GrpcAttemptResult> sink;
  final long startNanos;
  // Guarded by owner.lock.
  ClientCall<ReqT, RespT> call;
  boolean cancelled;

  AttemptStream(
      MeshClientCall<ReqT, RespT> owner,
      AttemptContext context,
      AttemptSink<GrpcAttemptResult> sink) {
    this.owner = owner;
    this.context = context;
    this.sink = sink;
    this.startNanos = owner.grpc.mesh().ticker().nanoTime();
  }

  void start() {
    boolean lateStart;
    synchronized (owner.lock) {
      // A hedge or retry that raced with the end of the call: there is nothing to send it for.
      lateStart = !context.mirror() && (owner.winner != null || owner.closed);
    }
    if (lateStart) {
      sink.complete(
          new GrpcAttemptResult(
              Status.CANCELLED.withDescription("the call was already decided"), new Metadata()),
          AttemptOutcome.CANCELLED);
      return;
    }
    ManagedChannel channel;
    try {
      channel = owner.grpc.channels().get(context.endpoint(), context.cluster());
      if (channel.isShutdown()) {
        // Evicted for idling between the look-up and now: the cache makes a fresh one.
        channel = owner.grpc.channels().get(context.endpoint(), context.cluster());
      }
    } catch (RuntimeException e) {
      Status status =
          Status.UNAVAILABLE
              .withDescription(
                  "no channel to " + context.endpoint().address() + ": " + e.getMessage())
              .withCause(e);
      sink.complete(new GrpcAttemptResult(status, new Metadata()), AttemptOutcome.CONNECT_FAILURE);
      return;
    }
    CallOptions options = owner.attemptOptions;
    long timeout = context.timeoutNanos();
    if (timeout != Long.MAX_VALUE) {
      options = options.withDeadlineAfter(timeout, TimeUnit.NANOSECONDS);
    }
    Metadata attemptHeaders = new Metadata();
    TextMapPropagator propagator =
        owner.grpc.mesh().openTelemetry().getPropagators().getTextMapPropagator();
    boolean commitNow;
    synchronized (owner.lock) {
      attemptHeaders.merge(owner.headers);
      try {
        propagator.inject(context.traceContext(), attemptHeaders, MetadataCarrier.SETTER);
      } catch (RuntimeException e) {
        owner.grpc.warnOnce("could not inject the trace context into gRPC metadata", e);
      }
      // The attempt must not inherit the caller's gRPC context: its deadline is already in the
      // timeout, and a retry started from a timer would otherwise see a different one.
      io.grpc.Context previous = io.grpc.Context.ROOT.attach();
      try {
        call = channel.newCall(owner.method, options);
      } finally {
        io.grpc.Context.ROOT.detach(previous);
      }
      owner.streams.add(this);
      call.start(this, attemptHeaders);
      if (cancelled) {
        call.cancel("the attempt was cancelled before it started", null);
        return;
      }
      if (owner.messageCompression != null) {
        call.setMessageCompression(owner.messageCompression);
      }
      if (context.mirror()) {
        call.request(Integer.MAX_VALUE); // responses of a mirrored copy are read and dropped
      }
      if (owner.replay != null) {
        for (ReqT m : owner.replay) {
          call.sendMessage(m);
        }
      }
      if (owner.halfClosed) {
        call.halfClose();
      }
      commitNow = owner.replayOverflowed && owner.winner == null && !context.mirror();
      if (commitNow) {
        owner.commitLocked(this);
      }
    }
  }

  @Override
  public void cancel() {
    synchronized (owner.lock) {
      cancelLocked("the mesh cancelled the attempt");
    }
  }

  void cancelLocked(String why) {
    if (cancelled) {
      return;
    }
    cancelled = true;
    if (call != null) {
      call.cancel(why, null);
    }
  }

  @Override
  public void onHeaders(Metadata responseHeaders) {
    MeshClientCall<?, ?> previous = MeshClientCall.IN_ATTEMPT_CALLBACK.get();
    MeshClientCall.IN_ATTEMPT_CALLBACK.set(owner);
    try {
      onHeadersHere(responseHeaders);
    } finally {
      MeshClientCall.IN_ATTEMPT_CALLBACK.set(previous);
    }
  }

  private void onHeadersHere(Metadata responseHeaders) {
    if (context.mirror()) {
      return;
    }
    ClientCall.Listener<RespT> l;
    boolean ready;
    synchronized (owner.lock) {
      if (!owner.commitLocked(this)) {
        return;
      }
      l = owner.listener;
      // A streaming call whose attempt answers before its stream said it was ready: the caller
      // still hears its first onReady, before the headers. A method whose client sends one message
      // hears none, as grpc-java's own calls do.
      ready = !owner.readyDelivered && !owner.method.getType().clientSendsOneMessage();
      owner.readyDelivered = true;
    }
    if (ready) {
      owner.deliverReady(l);
    }
    owner.deliverHeaders(l, responseHeaders);
  }

  @Override
  public void onMessage(RespT message) {
    MeshClientCall<?, ?> previous = MeshClientCall.IN_ATTEMPT_CALLBACK.get();
    MeshClientCall.IN_ATTEMPT_CALLBACK.set(owner);
    try {
      onMessageHere(message);
    } finally {
      MeshClientCall.IN_ATTEMPT_CALLBACK.set(previous);
    }
  }

  private void onMessageHere(RespT message) {
    ClientCall.Listener<RespT> l;
    synchronized (owner.lock) {
      if (owner.winner != this || owner.closed) {
        return;
      }
      l = owner.listener;
    }
    owner.deliverMessage(l, message);
  }

  @Override
  public void onReady() {
    MeshClientCall<?, ?> previous = MeshClientCall.IN_ATTEMPT_CALLBACK.get();
    MeshClientCall.IN_ATTEMPT_CALLBACK.set(owner);
    try {
      onReadyHere();
    } finally {
      MeshClientCall.IN_ATTEMPT_CALLBACK.set(previous);
    }
  }

  private void onReadyHere() {
    ClientCall.Listener<RespT> l;
    synchronized (owner.lock) {
      if (owner.closed || context.mirror()) {
        return;
      }
      if (owner.winner == null) {
        // Before the call commits the caller's side is ready at once (messages are buffered): it
        // hears that once, with the first attempt's onReady, on this attempt's thread.
        if (cancelled || owner.readyDelivered) {
          return;
        }
      } else if (owner.winner != this) {
        return;
      }
      owner.readyDelivered = true;
      l = owner.listener;
    }
    owner.deliverReady(l);
  }

  @Override
  public void onClose(Status status, Metadata trailers) {
    MeshClientCall<?, ?> previous = MeshClientCall.IN_ATTEMPT_CALLBACK.get();
    MeshClientCall.IN_ATTEMPT_CALLBACK.set(owner);
    try {
      onCloseHere(status, trailers);
    } finally {
      MeshClientCall.IN_ATTEMPT_CALLBACK.set(previous);
    }
  }

  private void onCloseHere(Status status, Metadata trailers) {
    boolean byMesh;
    synchronized (owner.lock) {
      owner.streams.remove(this);
      byMesh = cancelled;
    }
    long elapsed = owner.grpc.mesh().ticker().nanoTime() - startNanos;
    status =
        GrpcStatuses.explainConnectionFailure(
            status, context.endpoint().address(), context.cluster().tls().mode());
    AttemptOutcome outcome = GrpcStatuses.outcome(status, byMesh, elapsed, context.timeoutNanos());
    if (!context.mirror()) {
      // The attempt's CLIENT span is in its trace context; the engine ends it on complete.
      try {
        Span attemptSpan = Span.fromContext(context.traceContext());
        if (attemptSpan
            != Span.fromContext(
                owner.traceParent)) { // the mesh traces: never touch the caller's span
          attemptSpan.setAttribute(
              TracingServerInterceptor.RPC_GRPC_STATUS_CODE, (long) status.getCode().value());
        }
      } catch (RuntimeException e) {
        owner.grpc.warnOnce("could not record the gRPC status on the attempt span", e);
      }
    }
    sink.complete(new GrpcAttemptResult(status, trailers), outcome);
  }
}
