package dev.weft.mesh.grpc;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * A {@link MeshChannel} with a {@link ManagedChannel} life cycle, for frameworks that create, own
 * and shut down their channels (channel factories, dependency-injection containers). Calls behave
 * exactly as on the mesh channel. Shutting it down refuses new calls with {@code UNAVAILABLE} and
 * lets calls in flight finish ({@link #shutdown()}) or cancels them ({@link #shutdownNow()}); it
 * does not close the shared endpoint connections, which belong to the {@link MeshGrpc}.
 *
 * <p>Made by {@link MeshGrpc#managedChannel(String)}. Thread-safe.
 */
public final class MeshManagedChannel extends ManagedChannel {
  private final MeshChannel delegate;
  private final Object lock = new Object();
  // Guarded by lock.
  private final Set<ClientCall<?, ?>> active = Collections.newSetFromMap(new IdentityHashMap<>());
  private boolean shutdown;

  MeshManagedChannel(MeshChannel delegate) {
    this.delegate = delegate;
  }

  /** The logical service this channel calls. */
  public String service() {
    return delegate.service();
  }

  @Override
  public String authority() {
    return delegate.authority();
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions) {
    ClientCall<ReqT, RespT> call = delegate.newCall(method, callOptions);
    return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
      @Override
      public void start(Listener<RespT> listener, Metadata headers) {
        ClientCall<ReqT, RespT> self = this;
        synchronized (lock) {
          if (shutdown) {
            refuse(listener, callOptions.getExecutor());
            return;
          }
          active.add(self);
        }
        super.start(
            new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
              @Override
              public void onClose(Status status, Metadata trailers) {
                try {
                  super.onClose(status, trailers);
                } finally {
                  synchronized (lock) {
                    active.remove(self);
                    lock.notifyAll();
                  }
                }
              }
            },
            headers);
      }
    };
  }

  private static <RespT> void refuse(ClientCall.Listener<RespT> listener, Executor executor) {
    Runnable close =
        () ->
            listener.onClose(
                Status.UNAVAILABLE.withDescription("the mesh channel was shut down"),
                new Metadata());
    if (executor != null) {
      executor.execute(close);
    } else {
      close.run();
    }
  }

  @Override
  public ManagedChannel shutdown() {
    synchronized (lock) {
      shutdown = true;
      lock.notifyAll();
    }
    return this;
  }

  @Override
  public ManagedChannel shutdownNow() {
    List<ClientCall<?, ?>> calls;
    synchronized (lock) {
      shutdown = true;
      calls = List.copyOf(active);
    }
    for (ClientCall<?, ?> c : calls) {
      c.cancel("the mesh channel was shut down", null);
    }
    return this;
  }

  @Override
  public boolean isShutdown() {
    synchronized (lock) {
      return shutdown;
    }
  }

  @Override
  public boolean isTerminated() {
    synchronized (lock) {
      return shutdown && active.isEmpty();
    }
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    synchronized (lock) {
      while (!(shutdown && active.isEmpty())) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return true;
    }
  }

  @Override
  public String toString() {
    return "MeshManagedChannel{service=" + delegate.service() + "}";
  }
}
