package dev.weft.mesh.http.httpclient5;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.InjectedFaultException;
import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.core.spi.Attempt;
import dev.weft.mesh.core.spi.AttemptAdapter;
import dev.weft.mesh.core.spi.AttemptContext;
import dev.weft.mesh.core.spi.AttemptOutcome;
import dev.weft.mesh.core.spi.AttemptSink;
import dev.weft.mesh.core.spi.CallListener;
import dev.weft.mesh.http.adapter.EndpointUris;
import dev.weft.mesh.http.adapter.HttpFailures;
import dev.weft.mesh.http.adapter.LogicalHttpRequest;
import dev.weft.mesh.http.adapter.MeshHosts;
import dev.weft.mesh.http.adapter.TraceHeaders;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.async.AsyncExecCallback;
import org.apache.hc.client5.http.async.AsyncExecChain;
import org.apache.hc.client5.http.async.AsyncExecChainHandler;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.impl.BasicEntityDetails;
import org.apache.hc.core5.http.message.BasicHttpResponse;
import org.apache.hc.core5.http.nio.AsyncDataConsumer;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.support.BasicRequestBuilder;

/**
 * An async Apache HttpClient 5 exec-chain handler that sends requests whose host names a mesh
 * service through the mesh, as {@link MeshExecChainHandler} does for the classic client, without
 * blocking a thread: each attempt proceeds down the chain once, with its own route to the chosen
 * endpoint, and the engine's next attempt starts from the I/O thread that ended the last one or
 * from the mesh's timer. Install it with {@link MeshHttpClient5}.
 *
 * <p>The response of each attempt is read whole before the engine decides whether it ends the call,
 * and then handed to the caller's consumer, so that a retried failure never reaches it. Attempts of
 * one call share the exchange's connection holder and run one after another (a hedge waits for the
 * attempt in flight; mirrored copies are not sent). A request whose entity producer is not
 * repeatable is sent once only.
 */
public final class MeshAsyncExecChainHandler implements AsyncExecChainHandler {
  private final Mesh mesh;

  private MeshAsyncExecChainHandler(Mesh mesh) {
    this.mesh = requireNonNull(mesh, "mesh");
  }

  /** A handler over {@code mesh}. */
  public static MeshAsyncExecChainHandler create(Mesh mesh) {
    return new MeshAsyncExecChainHandler(mesh);
  }

  @Override
  public void execute(
      HttpRequest request,
      AsyncEntityProducer entityProducer,
      AsyncExecChain.Scope scope,
      AsyncExecChain chain,
      AsyncExecCallback callback)
      throws HttpException, IOException {
    if (!MeshHosts.isMeshService(mesh, Requests.host(request, scope.route))) {
      chain.proceed(request, entityProducer, scope, callback);
      return;
    }
    LogicalHttpRequest logical =
        Requests.logical(request, entityProducer == null || entityProducer.isRepeatable());
    AsyncCall call = new AsyncCall(request, entityProducer, scope, chain, callback, logical);
    mesh.call(logical, call, call);
  }

  /** A whole response of one attempt, or its failure. */
  private record Result(
      HttpResponse response, EntityDetails details, byte[] body, Exception error) {}

  /** One logical request: its attempts, one at a time, and the delivery of its end. */
  private final class AsyncCall implements AttemptAdapter<Result>, CallListener<Result> {
    private final HttpRequest request;
    private final AsyncEntityProducer entityProducer;
    private final AsyncExecChain.Scope scope;
    private final AsyncExecChain chain;
    private final AsyncExecCallback callback;
    private final LogicalHttpRequest logical;
    private final RequestConfig base;
    private final Queue<AttemptTask> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicBoolean sent = new AtomicBoolean();

    AsyncCall(
        HttpRequest request,
        AsyncEntityProducer entityProducer,
        AsyncExecChain.Scope scope,
        AsyncExecChain chain,
        AsyncExecCallback callback,
        LogicalHttpRequest logical) {
      this.request = request;
      this.entityProducer = entityProducer;
      this.scope = scope;
      this.chain = chain;
      this.callback = callback;
      this.logical = logical;
      this.base = scope.clientContext.getRequestConfigOrDefault();
    }

    @Override
    public Attempt start(AttemptContext context, AttemptSink<Result> sink) {
      if (context.mirror()) {
        sink.complete(
            new Result(null, null, null, new IOException("mirrors are not sent by this client")),
            AttemptOutcome.CANCELLED);
        return () -> {};
      }
      AttemptTask task = new AttemptTask(this, context, sink);
      waiting.add(task);
      drain();
      return task;
    }

    /** Starts the next waiting attempt unless one is in flight. */
    void drain() {
      while (busy.compareAndSet(false, true)) {
        AttemptTask next = waiting.poll();
        if (next == null) {
          busy.set(false);
          if (waiting.isEmpty()) {
            return;
          }
          continue;
        }
        if (next.begin()) {
          return; // busy until it ends
        }
        busy.set(false);
      }
    }

    void ended() {
      busy.set(false);
      drain();
    }

    void send(AttemptContext attempt, AttemptTask task) {
      if (sent.getAndSet(true) && entityProducer != null) {
        if (!logical.replayable()) {
          task.finish(
              new Result(
                  null,
                  null,
                  null,
                  new IOException(
                      "not sent again: the body of " + logical + " can be read only once")),
              AttemptOutcome.CANCELLED);
          return;
        }
        entityProducer.releaseResources(); // a repeatable producer starts over
      }
      HttpRequest physical =
          BasicRequestBuilder.copy(request)
              .setUri(EndpointUris.physical(logical.uri(), attempt))
              .build();
      TraceHeaders.inject(mesh, attempt, physical::setHeader);
      Requests.applyTimeout(scope.clientContext, base, attempt);
      if (scope.execRuntime.isEndpointAcquired()) {
        // The last attempt's connection, to another endpoint: back to the pool (or closed if it
        // cannot be reused), so that this attempt connects along its own route.
        scope.execRuntime.releaseEndpoint();
      }
      AsyncExecChain.Scope attemptScope =
          new AsyncExecChain.Scope(
              scope.exchangeId,
              Requests.route(attempt),
              physical,
              scope.cancellableDependency,
              scope.clientContext,
              scope.execRuntime,
              scope.scheduler,
              scope.execCount);
      try {
        chain.proceed(physical, entityProducer, attemptScope, new AttemptCallback(task));
      } catch (HttpException | IOException | RuntimeException e) {
        task.finish(new Result(null, null, null, e), HttpFailures.classify(e));
      }
    }

    @Override
    public void onComplete(Result r) {
      scope.clientContext.setRequestConfig(base);
      if (r.response() == null) {
        callback.failed(r.error());
        return;
      }
      deliver(r.response(), r.details(), r.body());
    }

    @Override
    public void onFailure(MeshException failure) {
      scope.clientContext.setRequestConfig(base);
      if (failure instanceof InjectedFaultException fault) {
        byte[] body = "fault filter abort".getBytes(StandardCharsets.UTF_8);
        BasicHttpResponse response =
            new BasicHttpResponse(fault.httpStatus(), "fault filter abort");
        deliver(response, new BasicEntityDetails(body.length, ContentType.TEXT_PLAIN), body);
        return;
      }
      callback.failed(new IOException(failure.getMessage(), failure));
    }

    private void deliver(HttpResponse response, EntityDetails details, byte[] body) {
      try {
        AsyncDataConsumer consumer = callback.handleResponse(response, details);
        if (consumer != null) {
          if (body.length > 0) {
            consumer.consume(ByteBuffer.wrap(body));
          }
          consumer.streamEnd(null);
        }
        callback.completed();
      } catch (HttpException | IOException | RuntimeException e) {
        callback.failed(e);
      }
    }
  }

  /** One attempt: waiting, then in flight or cancelled, then over. */
  private static final class AttemptTask implements Attempt {
    private final AsyncCall call;
    private final AttemptContext context;
    private final AttemptSink<Result> sink;
    private final AtomicInteger state = new AtomicInteger(); // 0 waiting, 1 in flight, 2 over

    AttemptTask(AsyncCall call, AttemptContext context, AttemptSink<Result> sink) {
      this.call = call;
      this.context = context;
      this.sink = sink;
    }

    boolean begin() {
      if (!state.compareAndSet(0, 1)) {
        return false;
      }
      call.send(context, this);
      return true;
    }

    void finish(Result result, AttemptOutcome outcome) {
      if (state.getAndSet(2) == 2) {
        return;
      }
      sink.complete(result, outcome);
      call.ended();
    }

    @Override
    public void cancel() {
      if (state.compareAndSet(0, 2)) {
        sink.complete(
            new Result(null, null, null, new IOException("attempt cancelled before it was sent")),
            AttemptOutcome.CANCELLED);
      }
      // An attempt in flight ends by its response timeout, which is the time it was given.
    }
  }

  /** Reads one attempt's response whole. */
  private static final class AttemptCallback implements AsyncExecCallback {
    private final AttemptTask task;
    private volatile HttpResponse response;
    private volatile EntityDetails details;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    AttemptCallback(AttemptTask task) {
      this.task = task;
    }

    @Override
    public AsyncDataConsumer handleResponse(HttpResponse response, EntityDetails details) {
      this.response = response;
      this.details = details;
      if (details == null) {
        return null;
      }
      return new AsyncDataConsumer() {
        @Override
        public void updateCapacity(CapacityChannel channel) throws IOException {
          channel.update(Integer.MAX_VALUE);
        }

        @Override
        public void consume(ByteBuffer src) {
          synchronized (body) {
            while (src.hasRemaining()) {
              body.write(src.get());
            }
          }
        }

        @Override
        public void streamEnd(List<? extends Header> trailers) {}

        @Override
        public void releaseResources() {}
      };
    }

    @Override
    public void handleInformationResponse(HttpResponse response) {}

    @Override
    public void completed() {
      HttpResponse r = response;
      byte[] bytes;
      synchronized (body) {
        bytes = body.toByteArray();
      }
      AttemptOutcome outcome;
      try {
        outcome = AttemptOutcome.http(r.getCode());
      } catch (IllegalArgumentException e) {
        outcome = AttemptOutcome.RESET;
      }
      task.finish(new Result(r, details, bytes, null), outcome);
    }

    @Override
    public void failed(Exception cause) {
      task.finish(new Result(null, null, null, cause), HttpFailures.classify(cause));
    }
  }
}
