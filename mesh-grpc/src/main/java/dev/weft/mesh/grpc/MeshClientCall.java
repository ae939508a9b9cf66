package dev.weft.mesh.grpc;

import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.core.spi.Attempt;
import dev.weft.mesh.core.spi.AttemptAdapter;
import dev.weft.mesh.core.spi.AttemptContext;
import dev.weft.mesh.core.spi.AttemptOutcome;
import dev.weft.mesh.core.spi.AttemptSink;
import dev.weft.mesh.core.spi.CallHandle;
import dev.weft.mesh.core.spi.CallListener;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * One call on a {@link MeshChannel}: the caller's side of the call, and the attempt adapter the
 * engine drives. Each attempt is a real {@link ClientCall} on the endpoint's channel.
 *
 * <p>Until the call commits, the caller's messages are kept in a replay buffer so that a retry or
 * hedge can send them again, and responses are not asked for. The call commits to an attempt when
 * that attempt receives response headers (which always come before the first message), or when the
 * buffer grows past its limit; from then on the attempt talks to the caller directly and nothing is
 * retried. This is gRPC's own rule (gRFC A6).
 *
 * <p>Threading: the caller's methods, the engine's attempt starts and cancellations, and the attempts'
 * callbacks meet under one lock per call. Attempts' callbacks run on the mesh client's executor, never
 * inline, so calling into an attempt's {@link ClientCall} under the lock cannot re-enter it. The
 * caller's listener hears events in order through a {@link SerializingExecutor} on the call's
 * executor, inside the gRPC {@code Context} the call was made in (as grpc-java's own calls do). When
 * the call has no executor of its own, its executor is the mesh client's, the very pool the attempts'
 * callbacks run on: an event raised by one of this call's attempt callbacks, outside the lock, is then
 * handed to the listener on that same thread instead of being passed to another thread of the pool
 * (one hand-off per event, as on a plain channel). Events raised anywhere else (the caller's own
 * methods, timers) are always handed off, so the listener is never called inline from the caller's
 * methods.
 */
final class MeshClientCall<ReqT, RespT> extends ClientCall<ReqT, RespT> {
  private final MeshGrpc grpc;
  private final String service;
  private final MethodDescriptor<ReqT, RespT> method;
  private final MethodDescriptor<byte[], RespT> wireMethod;
  private final CallOptions callOptions;
  /** The caller's options with the mesh client's executor, the base of every attempt's options. */
  private final CallOptions attemptOptions;
  private final io.opentelemetry.context.Context traceParent;
  private final io.grpc.Context grpcContext;
  private final SerializingExecutor delivery;
  /** Whether the call's executor is the mesh client's, on which attempt callbacks already run. */
  private final boolean deliveryOnAttemptThreads;
  private final Adapter adapter = new Adapter();

  /** The call whose attempt callback this thread is running, if any. */
  private static final ThreadLocal<MeshClientCall<?, ?>> IN_ATTEMPT_CALLBACK = new ThreadLocal<>();

  private final Object lock = new Object();
  // Guarded by lock.
  private Listener<RespT> listener;
  private Metadata headers;
  private CallHandle handle;
  private final List<byte[]> replay = new ArrayList<>();
  private long replayBytes;
  private boolean replayOverflowed;
  private boolean halfClosed;
  private int pendingRequests;
  private Boolean messageCompression;
  private AttemptStream winner;
  private final List<AttemptStream> streams = new ArrayList<>(2);
  private Status cancelStatus;
  private boolean closed;
  // Touched only by tasks of the delivery executor, which run one at a time.
  private boolean listenerClosed;
  private final io.grpc.Context.CancellationListener contextCancelled = ctx -> cancel("the caller's gRPC context was cancelled", ctx.cancellationCause());

  MeshClientCall(MeshGrpc grpc, String service, MethodDescriptor<ReqT, RespT> method, MethodDescriptor<byte[], RespT> wireMethod,
      CallOptions callOptions) {
    this.grpc = grpc;
    this.service = service;
    this.method = method;
    this.wireMethod = wireMethod;
    this.callOptions = callOptions;
    this.attemptOptions = callOptions.withExecutor(grpc.executor());
    this.traceParent = io.opentelemetry.context.Context.current();
    this.grpcContext = io.grpc.Context.current();
    this.deliveryOnAttemptThreads = callOptions.getExecutor() == null;
    Executor executor = deliveryOnAttemptThreads ? grpc.executor() : callOptions.getExecutor();
    this.delivery = new SerializingExecutor(executor);
  }

  // ---- the caller's side ----

  @Override
  public void start(Listener<RespT> responseListener, Metadata requestHeaders) {
    Runnable closeLater = null;
    synchronized (lock) {
      if (listener != null) {
        throw new IllegalStateException("the call was already started");
      }
      listener = java.util.Objects.requireNonNull(responseListener, "responseListener");
      headers = java.util.Objects.requireNonNull(requestHeaders, "requestHeaders");
      if (cancelStatus != null) {
        closeLater = closeCallerLocked(cancelStatus, new Metadata());
      }
    }
    if (closeLater != null) {
      delivery.execute(closeLater);
      return;
    }
    if (grpcContext.isCancelled()) {
      synchronized (lock) {
        cancelStatus = Status.CANCELLED.withDescription("the caller's gRPC context was already cancelled")
            .withCause(grpcContext.cancellationCause());
        closeLater = closeCallerLocked(cancelStatus, new Metadata());
      }
      if (closeLater != null) {
        delivery.execute(closeLater);
      }
      return;
    }
    grpcContext.addListener(contextCancelled, Runnable::run);
    boolean idempotent = !grpc.idempotentMethodsOnly() || method.isIdempotent() || method.isSafe();
    GrpcCallRequest request = new GrpcCallRequest(service, method, requestHeaders, idempotent, timeoutNanos(), traceParent);
    CallHandle h = grpc.mesh().call(request, adapter, new CallerListener());
    boolean cancelNow;
    synchronized (lock) {
      handle = h;
      cancelNow = cancelStatus != null;
    }
    if (cancelNow) {
      h.cancel();
    }
    // Messages are buffered until the call commits, so the caller may send at once.
    deliver(() -> responseListener.onReady());
  }

  private long timeoutNanos() {
    Deadline deadline = callOptions.getDeadline();
    Deadline contextDeadline = grpcContext.getDeadline();
    if (contextDeadline != null && (deadline == null || contextDeadline.isBefore(deadline))) {
      deadline = contextDeadline;
    }
    Long fallback = grpc.defaultTimeoutNanos();
    if (deadline == null) {
      return fallback == null ? Long.MAX_VALUE : fallback;
    }
    return Math.max(0, deadline.timeRemaining(TimeUnit.NANOSECONDS));
  }

  @Override
  public void request(int numMessages) {
    if (numMessages < 0) {
      throw new IllegalArgumentException("numMessages must not be negative, was " + numMessages);
    }
    synchronized (lock) {
      if (winner != null) {
        winner.call.request(numMessages);
      } else {
        pendingRequests = (int) Math.min(Integer.MAX_VALUE, (long) pendingRequests + numMessages);
      }
    }
  }

  @Override
  public void sendMessage(ReqT message) {
    byte[] bytes = serialize(message);
    AttemptStream commitNow = null;
    synchronized (lock) {
      if (closed || halfClosed) {
        return;
      }
      for (AttemptStream s : streams) {
        if (!s.cancelled && s.call != null) {
          s.call.sendMessage(bytes);
        }
      }
      if (winner == null) {
        replay.add(bytes);
        replayBytes += bytes.length;
        if (!replayOverflowed && replayBytes > grpc.maxReplayBytes()) {
          replayOverflowed = true;
          commitNow = firstLiveAttempt();
        }
      }
      if (commitNow != null) {
        commitLocked(commitNow);
      }
    }
  }

  private byte[] serialize(ReqT message) {
    try (InputStream in = method.streamRequest(message)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw Status.INTERNAL.withDescription("could not serialize the request message").withCause(e).asRuntimeException();
    }
  }

  @Override
  public void halfClose() {
    synchronized (lock) {
      if (halfClosed) {
        throw new IllegalStateException("halfClose was already called");
      }
      halfClosed = true;
      for (AttemptStream s : streams) {
        if (!s.cancelled && s.call != null) {
          s.call.halfClose();
        }
      }
    }
  }

  @Override
  public void cancel(String message, Throwable cause) {
    if (message == null && cause == null) {
      message = "the caller cancelled the call";
    }
    Status status = Status.CANCELLED.withDescription(message).withCause(cause);
    CallHandle h;
    synchronized (lock) {
      if (cancelStatus != null || closed) {
        return;
      }
      cancelStatus = status;
      h = handle;
      if (listener == null) {
        return; // not started: start() reports the cancellation
      }
    }
    if (h != null) {
      h.cancel();
    }
  }

  @Override
  public boolean isReady() {
    synchronized (lock) {
      if (winner != null) {
        return winner.call.isReady();
      }
      return !closed;
    }
  }

  @Override
  public void setMessageCompression(boolean enabled) {
    synchronized (lock) {
      messageCompression = enabled;
      for (AttemptStream s : streams) {
        if (!s.cancelled && s.call != null) {
          s.call.setMessageCompression(enabled);
        }
      }
    }
  }

  /** Hands an event to the caller's listener, in order, unless the listener has heard the end. */
  private void deliver(Runnable event) {
    dispatch(grpcContext.wrap(() -> {
      if (!listenerClosed) {
        event.run();
      }
    }));
  }

  /**
   * Runs a listener task through the serializing executor: on this thread when it is running one of
   * this call's attempt callbacks on the call's own executor and holds no lock of the call, else on
   * the executor.
   */
  private void dispatch(Runnable task) {
    if (deliveryOnAttemptThreads && IN_ATTEMPT_CALLBACK.get() == this && !Thread.holdsLock(lock)) {
      delivery.executeHere(task);
    } else {
      delivery.execute(task);
    }
  }

  private AttemptStream firstLiveAttempt() {
    for (AttemptStream s : streams) {
      if (!s.cancelled && !s.context.mirror()) {
        return s;
      }
    }
    return null;
  }

  /**
   * Commits the call to {@code s}: from now on it talks to the caller and nothing is retried.
   * Returns false (and cancels {@code s}) when another attempt already won or the call is over.
   */
  private boolean commitLocked(AttemptStream s) {
    if (winner == s) {
      return true;
    }
    if (winner != null || s.cancelled) {
      return false;
    }
    // The engine cancels the other attempts through Attempt.cancel, which re-enters this lock on
    // this thread; ClientCall.cancel never calls back inline, so that is safe.
    if (!s.sink.commit()) {
      s.cancelLocked("another attempt of the call won");
      return false;
    }
    winner = s;
    replay.clear();
    replayBytes = 0;
    if (pendingRequests > 0) {
      s.call.request(pendingRequests);
      pendingRequests = 0;
    }
    return true;
  }

  /**
   * Marks the call over and returns the task that tells the caller, to run once the lock is
   * released; null when the call was already over. Caller holds the lock.
   */
  private Runnable closeCallerLocked(Status status, Metadata trailers) {
    if (closed) {
      return null;
    }
    closed = true;
    replay.clear();
    replayBytes = 0;
    Status s = cancelStatus != null ? cancelStatus : status;
    Listener<RespT> l = listener;
    grpcContext.removeListener(contextCancelled);
    return grpcContext.wrap(() -> {
      if (!listenerClosed) {
        listenerClosed = true;
        l.onClose(s, trailers);
      }
    });
  }

  /** Hears the end of the call from the engine. */
  private final class CallerListener implements CallListener<GrpcAttemptResult> {
    @Override
    public void onComplete(GrpcAttemptResult result) {
      Runnable close;
      synchronized (lock) {
        close = closeCallerLocked(result.status(), result.trailers());
      }
      if (close != null) {
        dispatch(close);
      }
    }

    @Override
    public void onFailure(MeshException failure) {
      Runnable close;
      synchronized (lock) {
        close = closeCallerLocked(GrpcStatuses.fromMeshException(failure), new Metadata());
      }
      if (close != null) {
        dispatch(close);
      }
    }
  }

  // ---- the engine's side ----

  private final class Adapter implements AttemptAdapter<GrpcAttemptResult> {
    @Override
    public Attempt start(AttemptContext context, AttemptSink<GrpcAttemptResult> sink) {
      AttemptStream stream = new AttemptStream(context, sink);
      stream.start();
      return stream;
    }
  }

  /** One attempt: a real call on one endpoint's channel. */
  private final class AttemptStream extends ClientCall.Listener<RespT> implements Attempt {
    final AttemptContext context;
    final AttemptSink<GrpcAttemptResult> sink;
    final long startNanos;
    // Guarded by lock.
    ClientCall<byte[], RespT> call;
    boolean cancelled;

    AttemptStream(AttemptContext context, AttemptSink<GrpcAttemptResult> sink) {
      this.context = context;
      this.sink = sink;
      this.startNanos = grpc.mesh().ticker().nanoTime();
    }

    void start() {
      boolean lateStart;
      synchronized (lock) {
        // A hedge or retry that raced with the end of the call: there is nothing to send it for.
        lateStart = !context.mirror() && (winner != null || closed);
      }
      if (lateStart) {
        sink.complete(new GrpcAttemptResult(Status.CANCELLED.withDescription("the call was already decided"), new Metadata()),
            AttemptOutcome.CANCELLED);
        return;
      }
      ManagedChannel channel;
      try {
        channel = grpc.channels().get(context.endpoint(), context.cluster());
        if (channel.isShutdown()) {
          // Evicted for idling between the look-up and now: the cache makes a fresh one.
          channel = grpc.channels().get(context.endpoint(), context.cluster());
        }
      } catch (RuntimeException e) {
        Status status = Status.UNAVAILABLE.withDescription("no channel to " + context.endpoint().address() + ": " + e.getMessage())
            .withCause(e);
        sink.complete(new GrpcAttemptResult(status, new Metadata()), AttemptOutcome.CONNECT_FAILURE);
        return;
      }
      CallOptions options = attemptOptions;
      long timeout = context.timeoutNanos();
      options = timeout == Long.MAX_VALUE ? options.withDeadline(null) : options.withDeadlineAfter(timeout, TimeUnit.NANOSECONDS);
      Metadata attemptHeaders = new Metadata();
      TextMapPropagator propagator = grpc.mesh().openTelemetry().getPropagators().getTextMapPropagator();
      boolean commitNow;
      synchronized (lock) {
        attemptHeaders.merge(headers);
        try {
          propagator.inject(context.traceContext(), attemptHeaders, MetadataCarrier.SETTER);
        } catch (RuntimeException e) {
          grpc.warnOnce("could not inject the trace context into gRPC metadata", e);
        }
        // The attempt must not inherit the caller's gRPC context: its deadline is already in the
        // timeout, and a retry started from a timer would otherwise see a different one.
        io.grpc.Context previous = io.grpc.Context.ROOT.attach();
        try {
          call = channel.newCall(wireMethod, options);
        } finally {
          io.grpc.Context.ROOT.detach(previous);
        }
        streams.add(this);
        call.start(this, attemptHeaders);
        if (cancelled) {
          call.cancel("the attempt was cancelled before it started", null);
          return;
        }
        if (messageCompression != null) {
          call.setMessageCompression(messageCompression);
        }
        if (context.mirror()) {
          call.request(Integer.MAX_VALUE); // responses of a mirrored copy are read and dropped
        }
        for (byte[] m : replay) {
          call.sendMessage(m);
        }
        if (halfClosed) {
          call.halfClose();
        }
        commitNow = replayOverflowed && winner == null && !context.mirror();
        if (commitNow) {
          commitLocked(this);
        }
      }
    }

    @Override
    public void cancel() {
      synchronized (lock) {
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
      MeshClientCall<?, ?> previous = IN_ATTEMPT_CALLBACK.get();
      IN_ATTEMPT_CALLBACK.set(MeshClientCall.this);
      try {
        onHeadersHere(responseHeaders);
      } finally {
        IN_ATTEMPT_CALLBACK.set(previous);
      }
    }

    private void onHeadersHere(Metadata responseHeaders) {
      if (context.mirror()) {
        return;
      }
      Listener<RespT> l;
      synchronized (lock) {
        if (!commitLocked(this)) {
          return;
        }
        l = listener;
      }
      deliver(() -> l.onHeaders(responseHeaders));
    }

    @Override
    public void onMessage(RespT message) {
      MeshClientCall<?, ?> previous = IN_ATTEMPT_CALLBACK.get();
      IN_ATTEMPT_CALLBACK.set(MeshClientCall.this);
      try {
        onMessageHere(message);
      } finally {
        IN_ATTEMPT_CALLBACK.set(previous);
      }
    }

    private void onMessageHere(RespT message) {
      Listener<RespT> l;
      synchronized (lock) {
        if (winner != this || closed) {
          return;
        }
        l = listener;
      }
      deliver(() -> l.onMessage(message));
    }

    @Override
    public void onReady() {
      MeshClientCall<?, ?> previous = IN_ATTEMPT_CALLBACK.get();
      IN_ATTEMPT_CALLBACK.set(MeshClientCall.this);
      try {
        onReadyHere();
      } finally {
        IN_ATTEMPT_CALLBACK.set(previous);
      }
    }

    private void onReadyHere() {
      Listener<RespT> l;
      synchronized (lock) {
        if (winner != this || closed) {
          return;
        }
        l = listener;
      }
      deliver(() -> l.onReady());
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      MeshClientCall<?, ?> previous = IN_ATTEMPT_CALLBACK.get();
      IN_ATTEMPT_CALLBACK.set(MeshClientCall.this);
      try {
        onCloseHere(status, trailers);
      } finally {
        IN_ATTEMPT_CALLBACK.set(previous);
      }
    }

    private void onCloseHere(Status status, Metadata trailers) {
      boolean byMesh;
      synchronized (lock) {
        streams.remove(this);
        byMesh = cancelled;
      }
      long elapsed = grpc.mesh().ticker().nanoTime() - startNanos;
      status = GrpcStatuses.explainConnectionFailure(status, context.endpoint().address(), context.cluster().tls().mode());
      AttemptOutcome outcome = GrpcStatuses.outcome(status, byMesh, elapsed, context.timeoutNanos());
      if (!context.mirror()) {
        // The attempt's CLIENT span is in its trace context; the engine ends it on complete.
        try {
          Span attemptSpan = Span.fromContext(context.traceContext());
          if (attemptSpan != Span.fromContext(traceParent)) { // the mesh traces: never touch the caller's span
            attemptSpan.setAttribute(TracingServerInterceptor.RPC_GRPC_STATUS_CODE, (long) status.getCode().value());
          }
        } catch (RuntimeException e) {
          grpc.warnOnce("could not record the gRPC status on the attempt span", e);
        }
      }
      sink.complete(new GrpcAttemptResult(status, trailers), outcome);
    }
  }
}
