package dev.weft.mesh.http.adapter;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.InjectedFaultException;
import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.core.spi.Attempt;
import dev.weft.mesh.core.spi.AttemptAdapter;
import dev.weft.mesh.core.spi.AttemptContext;
import dev.weft.mesh.core.spi.AttemptOutcome;
import dev.weft.mesh.core.spi.AttemptSink;
import dev.weft.mesh.core.spi.CallHandle;
import dev.weft.mesh.core.spi.CallListener;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine's attempt loop for a blocking client (an OkHttp interceptor chain, a RestTemplate
 * execution, an Apache HttpClient classic exec chain), run on the calling thread.
 *
 * <p>The engine asks for attempts through {@link AttemptAdapter#start}, which must not block; this
 * class queues each one, and the calling thread, which waits for the call anyway, sends it. So the
 * first attempt makes no thread hop, a retry after its backoff runs on the caller's thread as well,
 * and the engine's timer never waits for a socket. Attempts of one call run one after another: a
 * client's chain can carry only one exchange at a time. A hedge therefore waits for the attempt in
 * flight and is cancelled if that one succeeds; a mirrored copy is not sent (the engine hears it
 * cancelled). An attempt that is running when the engine cancels it (a deadline) ends by its own
 * timeout, which the exchange sets from {@link AttemptContext#timeoutNanos()}.
 */
public final class BlockingMeshCall {
  private BlockingMeshCall() {}

  /**
   * One blocking client's exchange: sends the request once to the endpoint an attempt names.
   *
   * @param <R> the client's response
   */
  public interface Exchange<R> {
    /**
     * Sends the request to {@code attempt.endpoint()} and waits for the response's head. Sets the
     * client's timeouts from {@link AttemptContext#timeoutNanos()} and injects the trace context of
     * {@link AttemptContext#traceContext()} into the request's headers.
     */
    R send(AttemptContext attempt) throws IOException;

    /** The response's HTTP status. */
    int status(R response);

    /** Releases a response the caller will not see (a retried failure, a hedge that lost). */
    void discard(R response);

    /** The response the caller sees for an injected abort of the route's fault policy. */
    R injectedAbort(int status) throws IOException;

    /**
     * A copy of {@code response} that holds no connection, made before another attempt of the same
     * call is sent while {@code response} may still be the call's answer (the engine keeps a
     * retried failure until a better one arrives). A client whose chain carries one exchange at a
     * time reads the body into memory and closes the original. The default returns {@code response}
     * as it is.
     */
    default R detach(R response) throws IOException {
      return response;
    }
  }

  /**
   * Makes the call through the mesh and returns the response of its deciding attempt.
   *
   * @throws IOException the deciding attempt's failure
   * @throws MeshException if the mesh failed the call (unknown service, no healthy endpoint,
   *     circuit open, rate limited, deadline exceeded before any response)
   */
  public static <R> R execute(Mesh mesh, LogicalHttpRequest request, Exchange<R> exchange)
      throws IOException {
    requireNonNull(mesh, "mesh");
    requireNonNull(request, "request");
    requireNonNull(exchange, "exchange");
    Loop<R> loop = new Loop<>(request, exchange);
    CallHandle handle = mesh.call(request, loop, loop);
    return loop.run(handle);
  }

  /** What one attempt produced: a response or the exception in its place. */
  private static final class Result<R> {
    // Replaced by a detached copy on the caller's thread, which also reads it at the end.
    private volatile R response;
    private volatile Throwable error;
    private final AtomicBoolean released = new AtomicBoolean();

    Result(R response, Throwable error) {
      this.response = response;
      this.error = error;
    }

    R response() {
      return response;
    }

    Throwable error() {
      return error;
    }
  }

  private static final Object DONE = new Object();

  private static final class Loop<R> implements AttemptAdapter<Result<R>>, CallListener<Result<R>> {
    private final LogicalHttpRequest request;
    private final Exchange<R> exchange;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private boolean sent; // caller's thread only
    private Result<R> open; // the last response, while it may hold a connection; caller's thread
    // Written before DONE is queued; the queue's hand-off makes them visible to the caller.
    private Result<R> result;
    private MeshException failure;

    Loop(LogicalHttpRequest request, Exchange<R> exchange) {
      this.request = request;
      this.exchange = exchange;
    }

    @Override
    public Attempt start(AttemptContext context, AttemptSink<Result<R>> sink) {
      if (context.mirror()) {
        sink.complete(
            new Result<>(null, new IOException("mirrors are not sent by blocking clients")),
            AttemptOutcome.CANCELLED);
        return () -> {};
      }
      Task<R> task = new Task<>(this, context, sink);
      queue.add(task);
      return task;
    }

    @Override
    public void discard(Result<R> r) {
      R response = r.response();
      if (response != null && r.released.compareAndSet(false, true)) {
        exchange.discard(response);
      }
    }

    @Override
    public void onComplete(Result<R> r) {
      result = r;
      queue.add(DONE);
    }

    @Override
    public void onFailure(MeshException f) {
      failure = f;
      queue.add(DONE);
    }

    R run(CallHandle handle) throws IOException {
      try {
        for (Object next = queue.take(); next != DONE; next = queue.take()) {
          ((Task<?>) next).run();
        }
      } catch (InterruptedException e) {
        handle.cancel();
        Thread.currentThread().interrupt();
        InterruptedIOException io = new InterruptedIOException("interrupted: " + request);
        io.initCause(e);
        throw io;
      }
      // Attempts the engine asked for after the end (a hedge it then cancelled) are reported.
      for (Object left = queue.poll(); left != null; left = queue.poll()) {
        if (left instanceof Task<?> t) {
          t.cancel();
        }
      }
      if (failure != null) {
        if (failure instanceof InjectedFaultException fault) {
          return exchange.injectedAbort(fault.httpStatus());
        }
        throw failure;
      }
      Result<R> r = result;
      if (r.response() != null) {
        return r.response();
      }
      Throwable error = r.error();
      if (error instanceof IOException io) {
        throw io;
      }
      if (error instanceof RuntimeException re) {
        throw re;
      }
      if (error instanceof Error err) {
        throw err;
      }
      throw new IOException(error);
    }

    /** Sends one attempt on the caller's thread, unless its body may not be sent again. */
    void send(AttemptContext context, AttemptSink<Result<R>> sink) {
      Result<R> previous = open;
      open = null;
      if (previous != null && previous.released.compareAndSet(false, true)) {
        try {
          previous.response = exchange.detach(previous.response);
        } catch (IOException | RuntimeException e) {
          exchange.discard(previous.response);
          previous.response = null;
          previous.error = e;
        }
      }
      if (sent && !request.replayable()) {
        sink.complete(
            new Result<>(
                null,
                new IOException(
                    "not sent again: the body of " + request + " can be read only once")),
            AttemptOutcome.CANCELLED);
        return;
      }
      sent = true;
      R response;
      try {
        response = exchange.send(context);
      } catch (IOException | RuntimeException e) {
        Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
        sink.complete(new Result<>(null, cause), HttpFailures.classify(cause));
        return;
      }
      AttemptOutcome outcome;
      try {
        outcome = AttemptOutcome.http(exchange.status(response));
      } catch (IllegalArgumentException e) {
        outcome = AttemptOutcome.RESET; // a status outside 100..599
      }
      Result<R> result = new Result<>(response, null);
      open = result;
      sink.complete(result, outcome);
    }
  }

  /** One queued attempt: pending, then running or cancelled, then done. */
  private static final class Task<R> implements Attempt {
    private static final int PENDING = 0;
    private static final int RUNNING = 1;
    private static final int OVER = 2;

    private final Loop<R> loop;
    private final AttemptContext context;
    private final AttemptSink<Result<R>> sink;
    private final AtomicInteger state = new AtomicInteger(PENDING);

    Task(Loop<R> loop, AttemptContext context, AttemptSink<Result<R>> sink) {
      this.loop = loop;
      this.context = context;
      this.sink = sink;
    }

    void run() {
      if (state.compareAndSet(PENDING, RUNNING)) {
        try {
          loop.send(context, sink);
        } finally {
          state.set(OVER);
        }
      }
    }

    @Override
    public void cancel() {
      if (state.compareAndSet(PENDING, OVER)) {
        sink.complete(
            new Result<>(null, new IOException("attempt cancelled before it was sent")),
            AttemptOutcome.CANCELLED);
      }
    }
  }
}
