package dev.weft.benchmarks.load;

import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/** One unary call or one GET as a future, for any channel or client. */
final class Clients {
  private Clients() {}

  static Supplier<CompletableFuture<?>> grpcUnary(Channel channel, long deadlineMillis) {
    SimpleServiceGrpc.SimpleServiceStub stub = SimpleServiceGrpc.newStub(channel);
    SimpleRequest request = LoopbackServers.request();
    return () -> {
      CompletableFuture<SimpleResponse> f = new CompletableFuture<>();
      SimpleServiceGrpc.SimpleServiceStub s =
          deadlineMillis > 0 ? stub.withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS) : stub;
      s.unaryRpc(
          request,
          new StreamObserver<>() {
            @Override
            public void onNext(SimpleResponse value) {
              f.complete(value);
            }

            @Override
            public void onError(Throwable t) {
              f.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {}
          });
      return f;
    };
  }

  /** A GET through any sendAsync-shaped client; a status other than 200 fails the future. */
  static Supplier<CompletableFuture<?>> httpGet(
      Function<HttpRequest, CompletableFuture<HttpResponse<Void>>> send, String url) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).GET().build();
    return () ->
        send.apply(request)
            .thenApply(
                r -> {
                  if (r.statusCode() != 200) {
                    throw new IllegalStateException("status " + r.statusCode());
                  }
                  return r;
                });
  }

  /**
   * An OpenTelemetry SDK that samples every span and hands them in batches to an exporter that
   * drops them.
   */
  static OpenTelemetrySdk tracingSdk(AtomicLong exportedSpans) {
    SpanExporter dropping =
        new SpanExporter() {
          @Override
          public CompletableResultCode export(Collection<SpanData> spans) {
            exportedSpans.addAndGet(spans.size());
            return CompletableResultCode.ofSuccess();
          }

          @Override
          public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
          }

          @Override
          public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
          }
        };
    return OpenTelemetrySdk.builder()
        .setTracerProvider(
            SdkTracerProvider.builder()
                .addSpanProcessor(BatchSpanProcessor.builder(dropping).build())
                .build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
  }
}
