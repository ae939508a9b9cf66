package dev.weft.mesh.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.MethodDescriptor;

/**
 * A gRPC {@link Channel} for one logical mesh service: use it with ordinary generated stubs ({@code
 * RatingsGrpc.newBlockingStub(channel)}). Every call is routed by its full method name ({@code
 * /pkg.Service/Method}) and metadata, balanced over the service's endpoints, and run by the mesh's
 * attempt loop (retries, hedging, timeouts, budgets, fault injection, mirroring, tracing, metrics).
 * Unary and streaming calls of every kind are supported.
 *
 * <p>Made by {@link MeshGrpc#channel(String)}; it holds no connections of its own (they belong to
 * the {@link MeshGrpc}), so there is nothing to close. Thread-safe.
 */
public final class MeshChannel extends Channel {
  private final MeshGrpc grpc;
  private final String service;

  MeshChannel(MeshGrpc grpc, String service) {
    this.grpc = grpc;
    this.service = service;
  }

  /** The logical service this channel calls. */
  public String service() {
    return service;
  }

  /** The logical service name, which is also the {@code :authority} the mesh routes by. */
  @Override
  public String authority() {
    return service;
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions) {
    return new MeshClientCall<>(grpc, service, method, callOptions);
  }

  @Override
  public String toString() {
    return "MeshChannel{service=" + service + ", mesh=" + grpc.mesh().name() + "}";
  }
}
