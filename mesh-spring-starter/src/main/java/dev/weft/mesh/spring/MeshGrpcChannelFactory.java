package dev.weft.mesh.spring;

import dev.weft.mesh.grpc.MeshGrpc;
import dev.weft.mesh.grpc.MeshManagedChannel;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import java.util.concurrent.TimeUnit;
import org.springframework.grpc.client.ChannelBuilderOptions;
import org.springframework.grpc.client.GrpcChannelFactory;

/**
 * A Spring gRPC {@link GrpcChannelFactory} for {@code mesh:///service} targets: the channels it
 * makes route, balance and retry every call through the mesh. Other targets are left to Spring
 * gRPC's own factories.
 */
public final class MeshGrpcChannelFactory implements GrpcChannelFactory {
  private final MeshGrpc grpc;

  public MeshGrpcChannelFactory(MeshGrpc grpc) {
    this.grpc = grpc;
  }

  @Override
  public boolean supports(String target) {
    return target != null && target.startsWith(MeshGrpc.TARGET_SCHEME + ":");
  }

  @Override
  public ManagedChannel createChannel(String target, ChannelBuilderOptions options) {
    MeshManagedChannel channel = grpc.managedChannelFor(target);
    if (options.interceptors().isEmpty()) {
      return channel;
    }
    return new Intercepted(channel, ClientInterceptors.intercept(channel, options.interceptors()));
  }

  /** A mesh channel with interceptors in front; lifecycle goes to the mesh channel. */
  private static final class Intercepted extends ManagedChannel {
    private final ManagedChannel delegate;
    private final Channel intercepted;

    Intercepted(ManagedChannel delegate, Channel intercepted) {
      this.delegate = delegate;
      this.intercepted = intercepted;
    }

    @Override
    public <Q, A> ClientCall<Q, A> newCall(MethodDescriptor<Q, A> method, CallOptions callOptions) {
      return intercepted.newCall(method, callOptions);
    }

    @Override
    public String authority() {
      return delegate.authority();
    }

    @Override
    public ManagedChannel shutdown() {
      delegate.shutdown();
      return this;
    }

    @Override
    public boolean isShutdown() {
      return delegate.isShutdown();
    }

    @Override
    public boolean isTerminated() {
      return delegate.isTerminated();
    }

    @Override
    public ManagedChannel shutdownNow() {
      delegate.shutdownNow();
      return this;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
      return delegate.awaitTermination(timeout, unit);
    }
  }
}
