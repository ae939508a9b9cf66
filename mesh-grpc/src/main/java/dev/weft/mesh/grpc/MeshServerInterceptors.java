package dev.weft.mesh.grpc;

import static java.util.Objects.requireNonNull;

import io.grpc.ServerInterceptor;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;

/**
 * Server interceptors that give a gRPC server its part of the mesh. Install them one by one with
 * {@code ServerBuilder.intercept}, or all in the right order with {@link MeshServer}.
 */
public final class MeshServerInterceptors {

  /**
   * Continues the caller's trace: extracts W3C {@code traceparent} and {@code baggage} from the
   * metadata, starts a SERVER span named {@code pkg.Service/Method} with the OpenTelemetry RPC
   * attributes ({@code rpc.system=grpc}, {@code rpc.service}, {@code rpc.method}, {@code
   * rpc.grpc.status_code}), makes it current while the handlers run, and ends it when the call
   * closes or is cancelled. A tracing failure never fails the call.
   */
  public static ServerInterceptor tracing(OpenTelemetry openTelemetry) {
    return new TracingServerInterceptor(requireNonNull(openTelemetry, "openTelemetry"));
  }

  /**
   * Times every call into the Micrometer timer {@code weft.server.calls}, tagged {@code service}
   * (for example {@code pkg.Ratings}), {@code method} ({@code Get}) and {@code status} ({@code OK},
   * {@code CANCELLED}...).
   */
  public static ServerInterceptor metrics(MeterRegistry registry) {
    return new MetricsServerInterceptor(requireNonNull(registry, "registry"));
  }

  private MeshServerInterceptors() {}
}
