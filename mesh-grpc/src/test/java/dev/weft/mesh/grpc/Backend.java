package dev.weft.mesh.grpc;

import dev.weft.mesh.api.config.Endpoint;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A grpc-java Netty server on 127.0.0.1 that serves {@code grpc.testing.SimpleService}. */
final class Backend implements AutoCloseable {
  final String name;
  final AtomicInteger calls = new AtomicInteger();
  private final Server server;
  private final int port;

  private Backend(String name, BindableService service, ServerInterceptor... interceptors) {
    this.name = name;
    NettyServerBuilder b =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(ServerInterceptors.intercept(service, interceptors));
    try {
      this.server = b.build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.port = server.getPort();
  }

  private Backend(String name, Server server) {
    this.name = name;
    this.server = server;
    this.port = server.getPort();
  }

  /** A backend that answers with its name: see {@link Echo}. */
  static Backend echo(String name, ServerInterceptor... interceptors) {
    Echo echo = new Echo(name);
    Backend b = new Backend(name, echo, interceptors);
    echo.calls = b.calls;
    return b;
  }

  static Backend serving(
      String name,
      SimpleServiceGrpc.SimpleServiceImplBase service,
      ServerInterceptor... interceptors) {
    return new Backend(name, service, interceptors);
  }

  /** Wraps a server built elsewhere (for server helpers under test). */
  static Backend of(String name, Server server) {
    return new Backend(name, server);
  }

  int port() {
    return port;
  }

  Endpoint endpoint() {
    return Endpoint.of("127.0.0.1", port());
  }

  /** Stops at once, breaking calls in flight, as a crashed process would. */
  void kill() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }

  boolean terminated() {
    return server.isTerminated();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
      throw new AssertionError("backend " + name + " did not terminate");
    }
  }

  static SimpleRequest request(String message) {
    return SimpleRequest.newBuilder().setRequestMessage(message).build();
  }

  static SimpleResponse response(String message) {
    return SimpleResponse.newBuilder().setResponseMessage(message).build();
  }

  /**
   * Answers unary calls with {@code name:message}, client streams with {@code name:m1m2...}, server
   * streams with three messages {@code name:message:i}, and echoes each bidi message as {@code
   * name:message}.
   */
  static class Echo extends SimpleServiceGrpc.SimpleServiceImplBase {
    final String name;
    AtomicInteger calls = new AtomicInteger();

    Echo(String name) {
      this.name = name;
    }

    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
      calls.incrementAndGet();
      out.onNext(response(name + ":" + request.getRequestMessage()));
      out.onCompleted();
    }

    @Override
    public StreamObserver<SimpleRequest> clientStreamingRpc(StreamObserver<SimpleResponse> out) {
      calls.incrementAndGet();
      StringBuilder all = new StringBuilder();
      return new StreamObserver<>() {
        @Override
        public void onNext(SimpleRequest value) {
          all.append(value.getRequestMessage());
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          out.onNext(response(name + ":" + all));
          out.onCompleted();
        }
      };
    }

    @Override
    public void serverStreamingRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
      calls.incrementAndGet();
      for (int i = 0; i < 3; i++) {
        out.onNext(response(name + ":" + request.getRequestMessage() + ":" + i));
      }
      out.onCompleted();
    }

    @Override
    public StreamObserver<SimpleRequest> bidiStreamingRpc(StreamObserver<SimpleResponse> out) {
      calls.incrementAndGet();
      return new StreamObserver<>() {
        @Override
        public void onNext(SimpleRequest value) {
          out.onNext(response(name + ":" + value.getRequestMessage()));
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          out.onCompleted();
        }
      };
    }
  }

  static Status unavailable(String why) {
    return Status.UNAVAILABLE.withDescription(why);
  }
}
