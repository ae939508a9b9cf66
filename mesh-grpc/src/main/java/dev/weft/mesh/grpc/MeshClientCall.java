package dev.weft.mesh.grpc;

import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.core.spi.Attempt;
import dev.weft.mesh.core.spi.AttemptAdapter;
import dev.weft.mesh.core.spi.AttemptContext;
import dev.weft.mesh.core.spi.AttemptSink;
import dev.weft.mesh.core.spi.CallHandle;
import dev.weft.mesh.core.spi.CallListener;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Deadline;
import io.grpc.KnownLength;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * One call on a {@link MeshChannel}: the caller's side of the call, and the attempt adapter the
 * engine drives. Each attempt is a real {@link ClientCall} on the endpoint's channel.
 *
 * <p>Until the call commits, the caller's messages are kept in a replay buffer so that a retry or
 * hedge can send them again, and responses are not asked for. The buffer keeps the message objects
 * themselves, as grpc-java's own retries do, and counts their serialized size (from the
 * marshaller's {@link KnownLength} stream, which for protobuf is the message's memoized size): a
 * call that is never retried pays a reference per message, and every attempt serializes its
 * messages straight into its transport. The call commits to an attempt when that attempt receives
 * response headers (which always come before the first message), or when the buffer grows past its
 * limit; from then on the attempt talks to the caller directly and nothing is retried. This is
 * gRPC's own rule (gRFC A6).
 *
 * <p>Threading: the caller's methods, the engine's attempt starts and cancellations, and the
 * attempts' callbacks meet under one lock per call. Attempts' callbacks run on the mesh client's
 * executor, never inline, so calling into an attempt's {@link ClientCall} under the lock cannot
 * re-enter it. The caller's listener hears events in order through a {@link SerializingExecutor} on
 * the call's executor, inside the gRPC {@code Context} the call was made in (as grpc-java's own
 * calls do). When the call has no executor of its own, its executor is the mesh client's, the very
 * pool the attempts' callbacks run on: an event raised by one of this call's attempt callbacks,
 * outside the lock, is then handed to the listener on that same thread instead of being passed to
 * another thread of the pool (one hand-off per event, as on a plain channel). Events raised
 * anywhere else (the caller's own methods, timers) are always handed off, so the listener is never
 * called inline from the caller's methods. The caller's first {@code onReady} is the first
 * attempt's (before the call commits the caller may send at once, since messages are buffered, and
 * {@link #isReady()} says so), so starting a call hands nothing to another thread.
 */
final class MeshClientCall<ReqT, RespT> extends ClientCall<ReqT, RespT> {
  final MeshGrpc grpc;
  private final String service;
  final MethodDescriptor<ReqT, RespT> method;
  private final CallOptions callOptions;

  /**
   * The caller's options without their deadline (each attempt gets its own timeout) and with the
   * mesh client's executor: the base of every attempt's options.
   */
  final CallOptions attemptOptions;

  final io.opentelemetry.context.Context traceParent;
  private final io.grpc.Context grpcContext;
  private final SerializingExecutor delivery;

  /** Whether the call's executor is the mesh client's, on which attempt callbacks already run. */
  private final boolean deliveryOnAttemptThreads;

  private final Adapter adapter = new Adapter();

  /** The call whose attempt callback this thread is running, if any. */
  static final ThreadLocal<MeshClientCall<?, ?>> IN_ATTEMPT_CALLBACK = new ThreadLocal<>();

  final Object lock = new Object();
  // Guarded by lock.
  Listener<RespT> listener;
  Metadata headers;
  private CallHandle handle;
  // The messages sent before the call committed; null until the first.
  List<ReqT> replay;
  long replayBytes;
  boolean replayOverflowed;
  boolean halfClosed;
  int pendingRequests;
  Boolean messageCompression;
  AttemptStream<ReqT, RespT> winner;
  final List<AttemptStream<ReqT, RespT>> streams = new ArrayList<>(2);
  private Status cancelStatus;
  boolean closed;
  // Whether the caller's listener was given its first onReady (the first attempt's).
  boolean readyDelivered;
  // Touched only by tasks of the delivery executor, which run one at a time.
  private boolean listenerClosed;
  private final io.grpc.Context.CancellationListener contextCancelled =
      ctx -> cancel("the caller's gRPC context was cancelled", ctx.cancellationCause());

  MeshClientCall(
      MeshGrpc grpc,
      String service,
      MethodDescriptor<ReqT, RespT> method,
      CallOptions callOptions) {
    this.grpc = grpc;
    this.service = service;
    this.method = method;
    this.callOptions = callOptions;
    this.deliveryOnAttemptThreads = callOptions.getExecutor() == null;
    // The endpoint channels' executor is the mesh client's: a call without one needs no copy.
    CallOptions base =
        deliveryOnAttemptThreads ? callOptions : callOptions.withExecutor(grpc.executor());
    this.attemptOptions = base.getDeadline() == null ? base : base.withDeadline(null);
    this.traceParent = io.opentelemetry.context.Context.current();
    this.grpcContext = io.grpc.Context.current();
    Executor executor = deliveryOnAttemptThreads ? grpc.executor() : callOptions.getExecutor();
    this.delivery = new SerializingExecutor(executor, grpcContext);
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
        cancelStatus =
            Status.CANCELLED
                .withDescription("the caller's gRPC context was already cancelled")
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
    GrpcCallRequest request =
        new GrpcCallRequest(
            service, method, requestHeaders, idempotent, timeoutNanos(), traceParent);
    CallHandle h = grpc.mesh().call(request, adapter, new CallerListener());
    boolean cancelNow;
    synchronized (lock) {
      handle = h;
      cancelNow = cancelStatus != null;
    }
    if (cancelNow) {
      h.cancel();
    }
    // The caller hears onReady with the first attempt's (AttemptStream.onReady); until the call
    // commits, messages are buffered and isReady() is true, so the caller may send at once.
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
    java.util.Objects.requireNonNull(message, "message");
    AttemptStream<ReqT, RespT> commitNow = null;
    synchronized (lock) {
      if (closed || halfClosed) {
        return;
      }
      // Sized before any attempt sends it: an unserializable message fails the caller's call here.
      long size = winner == null && !replayOverflowed ? serializedSize(message) : 0;
      for (AttemptStream<ReqT, RespT> s : streams) {
        if (!s.cancelled && s.call != null) {
          s.call.sendMessage(message);
        }
      }
      if (winner == null) {
        if (replay == null) {
          replay = new ArrayList<>(2);
        }
        replay.add(message);
        replayBytes += size;
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

  /**
   * The message's serialized size, for the replay buffer's limit: what the marshaller's stream says
   * when it knows its length (protobuf's does, without serializing), else counted by serializing
   * once.
   */
  private long serializedSize(ReqT message) {
    try (InputStream in = method.streamRequest(message)) {
      if (in instanceof KnownLength) {
        return in.available();
      }
      return in.transferTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      throw Status.INTERNAL
          .withDescription("could not serialize the request message")
          .withCause(e)
          .asRuntimeException();
    }
  }

  @Override
  public void halfClose() {
    synchronized (lock) {
      if (halfClosed) {
        throw new IllegalStateException("halfClose was already called");
      }
      halfClosed = true;
      for (AttemptStream<ReqT, RespT> s : streams) {
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
      for (AttemptStream<ReqT, RespT> s : streams) {
        if (!s.cancelled && s.call != null) {
          s.call.setMessageCompression(enabled);
        }
      }
    }
  }

  /**
   * Hands an event to the caller's listener, in order, inside the call's gRPC context (the delivery
   * executor attaches it), unless the listener has heard the end.
   */
  void deliverHeaders(Listener<RespT> l, Metadata responseHeaders) {
    dispatch(
        () -> {
          if (!listenerClosed) {
            l.onHeaders(responseHeaders);
          }
        });
  }

  void deliverMessage(Listener<RespT> l, RespT message) {
    dispatch(
        () -> {
          if (!listenerClosed) {
            l.onMessage(message);
          }
        });
  }

  void deliverReady(Listener<RespT> l) {
    dispatch(
        () -> {
          if (!listenerClosed) {
            l.onReady();
          }
        });
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

  private AttemptStream<ReqT, RespT> firstLiveAttempt() {
    for (AttemptStream<ReqT, RespT> s : streams) {
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
  boolean commitLocked(AttemptStream<ReqT, RespT> s) {
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
    replay = null;
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
    replay = null;
    replayBytes = 0;
    Status s = cancelStatus != null ? cancelStatus : status;
    Listener<RespT> l = listener;
    grpcContext.removeListener(contextCancelled);
    // Runs on the delivery executor, which attaches the call's gRPC context.
    return () -> {
      if (!listenerClosed) {
        listenerClosed = true;
        l.onClose(s, trailers);
      }
    };
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
      AttemptStream<ReqT, RespT> stream = new AttemptStream<>(MeshClientCall.this, context, sink);
      stream.start();
      return stream;
    }
  }
}
