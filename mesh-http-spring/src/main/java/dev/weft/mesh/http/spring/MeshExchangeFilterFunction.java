package dev.weft.mesh.http.spring;

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
import dev.weft.mesh.http.adapter.EndpointUris;
import dev.weft.mesh.http.adapter.HttpFailures;
import dev.weft.mesh.http.adapter.LogicalHttpRequest;
import dev.weft.mesh.http.adapter.MeshHosts;
import dev.weft.mesh.http.adapter.TraceHeaders;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * A {@code WebClient} filter that sends requests whose host names a mesh service ({@code
 * http://reviews/...}) through the mesh, without blocking: the engine's attempt loop routes,
 * splits, retries, times out, fault-injects, traces and measures the call, as for {@code
 * MeshHttpClient}, and each attempt is one exchange of the filters after this one and the client's
 * connector, to the chosen endpoint. Requests for other hosts pass through untouched.
 *
 * <pre>{@code
 * WebClient client = WebClient.builder().filter(MeshExchangeFilterFunction.create(mesh)).build();
 * }</pre>
 *
 * <p>The starter applies it to every {@code WebClient.Builder} it hands out, Spring Cloud Gateway's
 * included. Each attempt ends when its response head arrives or its time (the route's timeout, the
 * per-try timeout, what is left of the deadline) runs out; a retried or losing response's body is
 * released. The request's body inserter runs again for a retry, so a body from a hot publisher
 * should not go to a route that retries. A mesh failure is signalled as the {@link MeshException};
 * an injected abort answers with its status. TLS is the connector's: for mutual TLS from the
 * workload identity, build the connector over the workload's SSL context.
 */
public final class MeshExchangeFilterFunction implements ExchangeFilterFunction {
  private final Mesh mesh;

  private MeshExchangeFilterFunction(Mesh mesh) {
    this.mesh = requireNonNull(mesh, "mesh");
  }

  /** A filter over {@code mesh}. */
  public static MeshExchangeFilterFunction create(Mesh mesh) {
    return new MeshExchangeFilterFunction(mesh);
  }

  @Override
  public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
    if (!MeshHosts.isMeshService(mesh, request.url().getHost())) {
      return next.exchange(request);
    }
    return Mono.create(
        sink -> {
          LogicalHttpRequest logical =
              LogicalHttpRequest.of(
                  request.method().name(),
                  request.url(),
                  name -> request.headers().getFirst(name),
                  true,
                  Long.MAX_VALUE);
          ReactiveCall call = new ReactiveCall(request, next, sink);
          CallHandle handle = mesh.call(logical, call, call);
          sink.onCancel(
              () -> {
                call.cancelled.set(true);
                handle.cancel();
              });
        });
  }

  /** One attempt's response or failure. */
  private record Result(ClientResponse response, Throwable error) {}

  private final class ReactiveCall implements AttemptAdapter<Result>, CallListener<Result> {
    private final ClientRequest request;
    private final ExchangeFunction next;
    private final MonoSink<ClientResponse> sink;
    final AtomicBoolean cancelled = new AtomicBoolean();

    ReactiveCall(ClientRequest request, ExchangeFunction next, MonoSink<ClientResponse> sink) {
      this.request = request;
      this.next = next;
      this.sink = sink;
    }

    @Override
    public Attempt start(AttemptContext context, AttemptSink<Result> attemptSink) {
      ClientRequest physical =
          ClientRequest.from(request)
              .url(EndpointUris.physical(request.url(), context))
              .headers(h -> TraceHeaders.inject(mesh, context, h::set))
              .build();
      Mono<ClientResponse> exchange = next.exchange(physical);
      if (context.timeoutNanos() != Long.MAX_VALUE) {
        exchange = exchange.timeout(Duration.ofNanos(Math.max(1_000_000L, context.timeoutNanos())));
      }
      AtomicBoolean over = new AtomicBoolean();
      Disposable subscription =
          exchange.subscribe(
              response -> {
                if (over.compareAndSet(false, true)) {
                  attemptSink.complete(new Result(response, null), outcome(response.statusCode()));
                }
              },
              error -> {
                if (over.compareAndSet(false, true)) {
                  attemptSink.complete(new Result(null, error), HttpFailures.classify(error));
                }
              },
              () -> {
                if (over.compareAndSet(false, true)) {
                  attemptSink.complete(
                      new Result(
                          null, new IllegalStateException("the exchange ended without a response")),
                      AttemptOutcome.RESET);
                }
              });
      return () -> {
        if (over.compareAndSet(false, true)) {
          subscription.dispose();
          attemptSink.complete(
              new Result(null, new java.util.concurrent.CancellationException("attempt cancelled")),
              AttemptOutcome.CANCELLED);
        }
      };
    }

    private AttemptOutcome outcome(HttpStatusCode status) {
      try {
        return AttemptOutcome.http(status.value());
      } catch (IllegalArgumentException e) {
        return AttemptOutcome.RESET;
      }
    }

    @Override
    public void discard(Result result) {
      if (result.response() != null) {
        result.response().releaseBody().subscribe(v -> {}, e -> {});
      }
    }

    @Override
    public void onComplete(Result result) {
      if (result.response() == null) {
        sink.error(result.error());
      } else if (cancelled.get()) {
        discard(result);
      } else {
        sink.success(result.response());
      }
    }

    @Override
    public void onFailure(MeshException failure) {
      if (failure instanceof InjectedFaultException fault) {
        sink.success(
            ClientResponse.create(HttpStatusCode.valueOf(fault.httpStatus()))
                .header("content-type", MediaType.TEXT_PLAIN_VALUE)
                .body("fault filter abort")
                .build());
      } else {
        sink.error(failure);
      }
    }
  }
}
