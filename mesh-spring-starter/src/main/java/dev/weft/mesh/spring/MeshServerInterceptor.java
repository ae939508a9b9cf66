package dev.weft.mesh.spring;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.List;

/**
 * The mesh's server interceptors (tracing, metrics, authorization: outermost first) as the one
 * interceptor Spring gRPC installs on every service.
 */
public final class MeshServerInterceptor implements ServerInterceptor {
  private final List<ServerInterceptor> interceptors;

  MeshServerInterceptor(List<ServerInterceptor> interceptors) {
    this.interceptors = List.copyOf(interceptors);
  }

  /** The interceptors this one runs, outermost first. */
  public List<ServerInterceptor> interceptors() {
    return interceptors;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    ServerCallHandler<ReqT, RespT> handler = next;
    for (int i = interceptors.size() - 1; i >= 0; i--) {
      ServerInterceptor interceptor = interceptors.get(i);
      ServerCallHandler<ReqT, RespT> inner = handler;
      handler = (c, h) -> interceptor.interceptCall(c, h, inner);
    }
    return handler.startCall(call, headers);
  }
}
