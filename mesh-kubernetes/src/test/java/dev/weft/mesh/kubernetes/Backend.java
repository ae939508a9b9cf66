package dev.weft.mesh.kubernetes;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** A JDK HTTP server on one loopback address that answers its name and counts its calls. */
final class Backend implements AutoCloseable {
  final String name;
  final String ip;
  final int port;
  private final HttpServer server;
  private final ExecutorService executor;
  final AtomicInteger calls = new AtomicInteger();
  final AtomicLong firstCallNanos = new AtomicLong();

  /** What {@link #clock} read at the first call. */
  volatile int firstCallAt = -1;

  /** A clock the test sets, such as the number of calls its load has started. */
  volatile java.util.function.IntSupplier clock = () -> 0;

  Backend(String name, String ip, int port) throws IOException {
    this.name = name;
    this.ip = ip;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(ip), port), 100);
    this.executor = Executors.newFixedThreadPool(4);
    server.setExecutor(executor);
    server.createContext(
        "/",
        exchange -> {
          if (calls.getAndIncrement() == 0) {
            firstCallNanos.set(System.nanoTime());
            firstCallAt = clock.getAsInt();
          }
          byte[] body = name.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("x-backend", name);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    this.port = server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
