package dev.weft.chaos;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.weft.mesh.grpc.MeshServer;
import dev.weft.mesh.security.tls.WorkloadTls;
import io.grpc.Server;
import io.grpc.Status;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** The real backends: mutual-TLS gRPC and HTTPS servers on loopback, each behind a proxy. */
final class Backends {
  private Backends() {}

  /** STREAM_MESSAGES responses for each server-streaming call. */
  static final int STREAM_MESSAGES = 3;

  /** A backend that can be killed, restarted on its port, and made to fail every call. */
  interface Backend extends AutoCloseable {
    int port();

    void kill() throws InterruptedException;

    void restart() throws IOException;

    /** Whether every call fails (gRPC UNAVAILABLE, HTTP 503) rather than succeeds. */
    void failing(boolean failing);

    long requests();

    @Override
    void close() throws InterruptedException;
  }

  /** A gRPC SimpleService backend secured by {@code mesh-grpc}'s {@link MeshServer}. */
  static final class Grpc implements Backend {
    private final WorkloadTls tls;
    private final AtomicLong requests = new AtomicLong();
    private volatile boolean failing;
    private volatile Server server;
    private int port;

    Grpc(WorkloadTls tls) throws IOException {
      this.tls = tls;
      start(0);
    }

    private void start(int wanted) throws IOException {
      SimpleResponse response = SimpleResponse.newBuilder().setResponseMessage("ok").build();
      server =
          MeshServer.builder()
              .workloadTls(tls)
              .applyTo(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", wanted)))
              .addService(
                  new SimpleServiceGrpc.SimpleServiceImplBase() {
                    @Override
                    public void unaryRpc(
                        SimpleRequest request, StreamObserver<SimpleResponse> observer) {
                      requests.incrementAndGet();
                      if (failing) {
                        observer.onError(
                            Status.UNAVAILABLE.withDescription("chaos: failing").asException());
                        return;
                      }
                      observer.onNext(response);
                      observer.onCompleted();
                    }

                    @Override
                    public void serverStreamingRpc(
                        SimpleRequest request, StreamObserver<SimpleResponse> observer) {
                      requests.incrementAndGet();
                      if (failing) {
                        observer.onError(
                            Status.UNAVAILABLE.withDescription("chaos: failing").asException());
                        return;
                      }
                      for (int i = 0; i < STREAM_MESSAGES; i++) {
                        observer.onNext(response);
                      }
                      observer.onCompleted();
                    }
                  })
              .build()
              .start();
      port = server.getPort();
    }

    @Override
    public int port() {
      return port;
    }

    @Override
    public void kill() throws InterruptedException {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Override
    public void restart() throws IOException {
      start(port);
    }

    @Override
    public void failing(boolean failing) {
      this.failing = failing;
    }

    @Override
    public long requests() {
      return requests.get();
    }

    @Override
    public void close() throws InterruptedException {
      kill();
    }
  }

  /** A JDK HttpsServer requiring client certificates, answering GETs with a small body. */
  static final class Https implements Backend {
    static {
      // The JDK server leaves Nagle on by default, which with delayed ACKs adds ~40 ms to small
      // responses; read once, when the server's config class loads.
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final WorkloadTls tls;
    private final AtomicLong requests = new AtomicLong();
    private volatile boolean failing;
    private volatile HttpsServer server;
    private ExecutorService executor;
    private int port;

    Https(WorkloadTls tls) throws IOException {
      this.tls = tls;
      start(0);
    }

    private void start(int wanted) throws IOException {
      byte[] body = "ok".getBytes(StandardCharsets.US_ASCII);
      HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", wanted), 512);
      s.setHttpsConfigurator(
          new HttpsConfigurator(tls.serverContext()) {
            @Override
            public void configure(HttpsParameters params) {
              params.setSSLParameters(tls.serverParameters());
            }
          });
      s.createContext(
          "/",
          exchange -> {
            requests.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            int status = failing ? 503 : 200;
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          });
      executor =
          Executors.newFixedThreadPool(
              8,
              r -> {
                Thread t = new Thread(r, "chaos-https-backend");
                t.setDaemon(true);
                return t;
              });
      s.setExecutor(executor);
      s.start();
      server = s;
      port = s.getAddress().getPort();
    }

    @Override
    public int port() {
      return port;
    }

    @Override
    public void kill() {
      server.stop(0);
      executor.shutdownNow();
    }

    @Override
    public void restart() throws IOException {
      start(port);
    }

    @Override
    public void failing(boolean failing) {
      this.failing = failing;
    }

    @Override
    public long requests() {
      return requests.get();
    }

    @Override
    public void close() {
      kill();
    }
  }
}
