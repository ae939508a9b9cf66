package dev.weft.mesh.grpc;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Times every server call into {@value #METER}, tagged with service, method and status. */
final class MetricsServerInterceptor implements ServerInterceptor {
  private static final Logger log = LoggerFactory.getLogger(MetricsServerInterceptor.class);
  static final String METER = "weft.server.calls";

  private final MeterRegistry registry;
  private final AtomicBoolean warned = new AtomicBoolean();

  MetricsServerInterceptor(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    long start = System.nanoTime();
    MethodDescriptor<ReqT, RespT> method = call.getMethodDescriptor();
    AtomicBoolean recorded = new AtomicBoolean();
    ServerCall<ReqT, RespT> measured =
        new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            record(status);
            super.close(status, trailers);
          }

          private void record(Status status) {
            if (recorded.compareAndSet(false, true)) {
              MetricsServerInterceptor.this.record(method, status, System.nanoTime() - start);
            }
          }
        };
    ServerCall.Listener<ReqT> delegate = next.startCall(measured, headers);
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
      @Override
      public void onCancel() {
        if (recorded.compareAndSet(false, true)) {
          record(method, Status.CANCELLED, System.nanoTime() - start);
        }
        super.onCancel();
      }
    };
  }

  private void record(MethodDescriptor<?, ?> method, Status status, long nanos) {
    try {
      String service = method.getServiceName();
      String bare = method.getBareMethodName();
      Timer.builder(METER)
          .description("gRPC calls served, by service, method and status")
          .tag("service", service == null ? "" : service)
          .tag("method", bare == null ? method.getFullMethodName() : bare)
          .tag("status", status.getCode().name())
          .register(registry)
          .record(nanos, TimeUnit.NANOSECONDS);
    } catch (RuntimeException e) {
      if (warned.compareAndSet(false, true)) {
        log.warn(
            "recording gRPC server metrics failed; calls go on unmeasured (further failures are not logged)",
            e);
      }
    }
  }
}
