package dev.weft.mesh.grpc;

import static dev.weft.mesh.grpc.Backend.request;
import static dev.weft.mesh.grpc.Backend.response;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.core.Mesh;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Trace context crosses the wire; the server helper traces and measures calls. */
class TracingAndMetricsTest extends MeshGrpcTestSupport {
  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final OpenTelemetrySdk otel =
      OpenTelemetrySdk.builder()
          .setTracerProvider(
              SdkTracerProvider.builder()
                  .addSpanProcessor(SimpleSpanProcessor.create(spans))
                  .build())
          .setPropagators(
              ContextPropagators.create(
                  TextMapPropagator.composite(
                      W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance())))
          .build();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicReference<String> baggageSeen = new AtomicReference<>();
  private final AtomicReference<String> traceSeenInHandler = new AtomicReference<>();

  @AfterEach
  void closeOtel() {
    otel.close();
  }

  private Backend tracedBackend() throws IOException {
    SimpleServiceGrpc.SimpleServiceImplBase service =
        new SimpleServiceGrpc.SimpleServiceImplBase() {
          @Override
          public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
            baggageSeen.set(Baggage.current().getEntryValue("tenant"));
            traceSeenInHandler.set(Span.current().getSpanContext().getTraceId());
            out.onNext(response("traced"));
            out.onCompleted();
          }
        };
    Server server =
        MeshServer.builder()
            .openTelemetry(otel)
            .meterRegistry(registry)
            .applyTo(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)))
            .addService(service)
            .build()
            .start();
    Backend b = Backend.of("traced", server);
    backends.add(b);
    return b;
  }

  @Test
  void callerClientAndServerSpansShareOneTrace() throws Exception {
    Backend a = tracedBackend();
    start(
        config("v1", route(Destination.of("c")).build(), cluster("c", a)),
        Mesh.builder().openTelemetry(otel),
        MeshGrpc::builder);

    Span caller = otel.getTracer("test").spanBuilder("caller").startSpan();
    String traceId = caller.getSpanContext().getTraceId();
    try (Scope s = caller.makeCurrent();
        Scope b = Baggage.builder().put("tenant", "acme").build().makeCurrent()) {
      assertThat(blocking().unaryRpc(request("x")).getResponseMessage()).isEqualTo("traced");
    } finally {
      caller.end();
    }

    String fullName = SimpleServiceGrpc.getUnaryRpcMethod().getFullMethodName();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                spans.getFinishedSpanItems().stream()
                    .anyMatch(d -> d.getKind() == SpanKind.SERVER));
    List<SpanData> finished = spans.getFinishedSpanItems();
    SpanData client =
        finished.stream().filter(d -> d.getKind() == SpanKind.CLIENT).findFirst().orElseThrow();
    SpanData server =
        finished.stream().filter(d -> d.getKind() == SpanKind.SERVER).findFirst().orElseThrow();

    assertThat(client.getTraceId()).isEqualTo(traceId);
    assertThat(server.getTraceId()).isEqualTo(traceId);
    assertThat(server.getParentSpanId()).isEqualTo(client.getSpanId());
    assertThat(traceSeenInHandler.get()).isEqualTo(traceId);
    assertThat(baggageSeen.get()).isEqualTo("acme");

    assertThat(client.getName()).isEqualTo(fullName);
    assertThat(client.getAttributes().get(AttributeKey.stringKey("rpc.system"))).isEqualTo("grpc");
    assertThat(client.getAttributes().get(AttributeKey.stringKey("rpc.service")))
        .isEqualTo("grpc.testing.SimpleService");
    assertThat(client.getAttributes().get(AttributeKey.stringKey("rpc.method")))
        .isEqualTo("UnaryRpc");
    assertThat(client.getAttributes().get(AttributeKey.longKey("rpc.grpc.status_code"))).isZero();

    assertThat(server.getName()).isEqualTo(fullName);
    assertThat(server.getAttributes().get(AttributeKey.stringKey("rpc.system"))).isEqualTo("grpc");
    assertThat(server.getAttributes().get(AttributeKey.stringKey("rpc.service")))
        .isEqualTo("grpc.testing.SimpleService");
    assertThat(server.getAttributes().get(AttributeKey.stringKey("rpc.method")))
        .isEqualTo("UnaryRpc");
    assertThat(server.getAttributes().get(AttributeKey.longKey("rpc.grpc.status_code"))).isZero();

    await()
        .atMost(Duration.ofSeconds(2))
        .untilAsserted(
            () -> {
              Timer timer =
                  registry
                      .find("weft.server.calls")
                      .tags(
                          "service",
                          "grpc.testing.SimpleService",
                          "method",
                          "UnaryRpc",
                          "status",
                          "OK")
                      .timer();
              assertThat(timer).isNotNull();
              assertThat(timer.count()).isEqualTo(1);
            });
  }

  @Test
  void serverHelperInstallsTracingOutermost() {
    MeshServer helper =
        MeshServer.builder()
            .openTelemetry(otel)
            .meterRegistry(registry)
            .securityInterceptor(
                new io.grpc.ServerInterceptor() {
                  @Override
                  public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(
                      io.grpc.ServerCall<Q, R> call,
                      io.grpc.Metadata headers,
                      io.grpc.ServerCallHandler<Q, R> next) {
                    return next.startCall(call, headers);
                  }
                })
            .build();
    assertThat(helper.interceptors()).hasSize(3);
    assertThat(helper.interceptors().get(0)).isInstanceOf(TracingServerInterceptor.class);
    assertThat(helper.interceptors().get(1)).isInstanceOf(MetricsServerInterceptor.class);
  }
}
