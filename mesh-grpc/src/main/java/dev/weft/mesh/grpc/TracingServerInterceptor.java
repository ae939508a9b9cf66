package dev.weft.mesh.grpc;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continues the caller's trace on the server: extracts W3C {@code traceparent}/{@code baggage} from
 * the metadata, starts a SERVER span after the OpenTelemetry RPC conventions, makes it current
 * while the application's handlers run, and ends it when the call closes or is cancelled.
 */
final class TracingServerInterceptor implements ServerInterceptor {
  private static final Logger log = LoggerFactory.getLogger(TracingServerInterceptor.class);
  static final AttributeKey<Long> RPC_GRPC_STATUS_CODE =
      AttributeKey.longKey("rpc.grpc.status_code");

  private final OpenTelemetry openTelemetry;
  private final Tracer tracer;
  private final AtomicBoolean warned = new AtomicBoolean();

  TracingServerInterceptor(OpenTelemetry openTelemetry) {
    this.openTelemetry = openTelemetry;
    this.tracer = openTelemetry.getTracer("dev.weft.mesh.grpc");
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    Context context;
    Span span;
    try {
      MethodDescriptor<ReqT, RespT> method = call.getMethodDescriptor();
      Context parent =
          openTelemetry
              .getPropagators()
              .getTextMapPropagator()
              .extract(Context.root(), headers, MetadataCarrier.GETTER);
      var builder =
          tracer
              .spanBuilder(method.getFullMethodName())
              .setParent(parent)
              .setSpanKind(SpanKind.SERVER)
              .setAttribute(GrpcCallRequest.RPC_SYSTEM, "grpc");
      if (method.getServiceName() != null) {
        builder.setAttribute(GrpcCallRequest.RPC_SERVICE, method.getServiceName());
      }
      if (method.getBareMethodName() != null) {
        builder.setAttribute(GrpcCallRequest.RPC_METHOD, method.getBareMethodName());
      }
      span = builder.startSpan();
      context = parent.with(span);
    } catch (RuntimeException e) {
      warnOnce(e);
      return next.startCall(call, headers);
    }
    SpanEnder ender = new SpanEnder(span);
    ServerCall<ReqT, RespT> traced =
        new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            ender.end(status);
            super.close(status, trailers);
          }
        };
    ServerCall.Listener<ReqT> delegate;
    Scope scope = context.makeCurrent();
    try {
      delegate = next.startCall(traced, headers);
    } finally {
      scope.close();
    }
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
      @Override
      public void onMessage(ReqT message) {
        inScope(context, () -> super.onMessage(message));
      }

      @Override
      public void onHalfClose() {
        inScope(context, () -> super.onHalfClose());
      }

      @Override
      public void onCancel() {
        ender.end(Status.CANCELLED);
        inScope(context, () -> super.onCancel());
      }

      @Override
      public void onComplete() {
        inScope(context, () -> super.onComplete());
      }

      @Override
      public void onReady() {
        inScope(context, () -> super.onReady());
      }
    };
  }

  private static void inScope(Context context, Runnable action) {
    Scope scope = context.makeCurrent();
    try {
      action.run();
    } finally {
      scope.close();
    }
  }

  private void warnOnce(RuntimeException e) {
    if (warned.compareAndSet(false, true)) {
      log.warn(
          "gRPC server tracing failed; the call goes on untraced (further failures are not logged)",
          e);
    }
  }

  /** Ends a span once, with the call's status. */
  private final class SpanEnder {
    private final Span span;
    private final AtomicBoolean ended = new AtomicBoolean();

    SpanEnder(Span span) {
      this.span = span;
    }

    void end(Status status) {
      if (!ended.compareAndSet(false, true)) {
        return;
      }
      try {
        span.setAttribute(RPC_GRPC_STATUS_CODE, (long) status.getCode().value());
        if (serverError(status.getCode())) {
          span.setStatus(
              StatusCode.ERROR,
              status.getDescription() == null ? status.getCode().name() : status.getDescription());
        }
        span.end();
      } catch (RuntimeException e) {
        warnOnce(e);
      }
    }
  }

  /** The statuses that mark a SERVER span as an error under the OpenTelemetry RPC conventions. */
  static boolean serverError(Status.Code code) {
    return switch (code) {
      case UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS -> true;
      default -> false;
    };
  }
}
