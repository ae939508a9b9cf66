package dev.weft.mesh.grpc;

import dev.weft.mesh.core.spi.CallRequest;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.context.Context;

/** A gRPC call as the engine routes and traces it. Immutable once made. */
final class GrpcCallRequest implements CallRequest {
  static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
  static final AttributeKey<String> RPC_SERVICE = AttributeKey.stringKey("rpc.service");
  static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");

  private final String service;
  private final MethodDescriptor<?, ?> method;
  private final String path;
  private final Metadata headers;
  private final boolean idempotent;
  private final long timeoutNanos;
  private final Context parent;

  GrpcCallRequest(
      String service,
      MethodDescriptor<?, ?> method,
      Metadata headers,
      boolean idempotent,
      long timeoutNanos,
      Context parent) {
    this.service = service;
    this.method = method;
    this.path = "/" + method.getFullMethodName();
    this.headers = headers;
    this.idempotent = idempotent;
    this.timeoutNanos = timeoutNanos;
    this.parent = parent;
  }

  @Override
  public String service() {
    return service;
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String method() {
    return "POST";
  }

  @Override
  public String header(String lowerCaseName) {
    return MetadataCarrier.ascii(headers, lowerCaseName);
  }

  @Override
  public boolean idempotent() {
    return idempotent;
  }

  @Override
  public long timeoutNanos() {
    return timeoutNanos;
  }

  @Override
  public Context parentContext() {
    return parent;
  }

  @Override
  public String spanName() {
    return method.getFullMethodName();
  }

  @Override
  public void spanAttributes(AttributesBuilder attributes) {
    attributes.put(RPC_SYSTEM, "grpc");
    String serviceName = method.getServiceName();
    if (serviceName != null) {
      attributes.put(RPC_SERVICE, serviceName);
    }
    String bare = method.getBareMethodName();
    if (bare != null) {
      attributes.put(RPC_METHOD, bare);
    }
  }
}
