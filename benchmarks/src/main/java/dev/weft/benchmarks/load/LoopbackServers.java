package dev.weft.benchmarks.load;

import com.sun.net.httpserver.HttpServer;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** Loopback gRPC and HTTP servers for the load studies. */
final class LoopbackServers {
  private LoopbackServers() {}

  private static final ScheduledExecutorService DELAYS =
      Executors.newScheduledThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "bench-server-delay");
            t.setDaemon(true);
            return t;
          });

  /**
   * A gRPC SimpleService backend whose answer is delayed by {@code delayNanos} (0: answers inline).
   */
  static final class GrpcBackend implements AutoCloseable {
    final Server server;
    final AtomicLong requests = new AtomicLong();
    volatile LongSupplier delayNanos = () -> 0L;

    GrpcBackend() throws IOException {
      this(0);
    }

    GrpcBackend(int port) throws IOException {
      SimpleResponse response = SimpleResponse.newBuilder().setResponseMessage("ok").build();
      server =
          NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
              .addService(
                  new SimpleServiceGrpc.SimpleServiceImplBase() {
                    @Override
                    public void unaryRpc(
                        SimpleRequest request, StreamObserver<SimpleResponse> observer) {
                      requests.incrementAndGet();
                      long delay = delayNanos.getAsLong();
                      if (delay <= 0) {
                        observer.onNext(response);
                        observer.onCompleted();
                      } else {
                        DELAYS.schedule(
                            () -> {
                              observer.onNext(response);
                              observer.onCompleted();
                            },
                            delay,
                            TimeUnit.NANOSECONDS);
                      }
                    }
                  })
              .build();
      server.start();
    }

    int port() {
      return server.getPort();
    }

    @Override
    public void close() throws InterruptedException {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** A JDK HttpServer answering every GET with a small 200 body. */
  static final class HttpBackend implements AutoCloseable {
    static {
      // The JDK server leaves Nagle on by default, which with delayed ACKs adds ~40 ms to small
      // responses; read once, when the server's config class loads.
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    final HttpServer server;
    private final ExecutorService executor =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "bench-http-server");
              t.setDaemon(true);
              return t;
            });

    HttpBackend() throws IOException {
      this(0);
    }

    HttpBackend(int port) throws IOException {
      byte[] body = "ok".getBytes(StandardCharsets.US_ASCII);
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
      server.createContext(
          "/",
          exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          });
      server.setExecutor(executor);
      server.start();
    }

    int port() {
      return server.getAddress().getPort();
    }

    @Override
    public void close() {
      server.stop(0);
      executor.shutdownNow();
    }
  }

  static SimpleRequest request() {
    return SimpleRequest.newBuilder().setRequestMessage("hello").build();
  }
}
