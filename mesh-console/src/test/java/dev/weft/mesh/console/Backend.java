package dev.weft.mesh.console;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP server on loopback that answers every request with its name, and fails one request in
 * {@link #failOneIn} with a 503 (a fixed, deterministic pattern rather than randomness).
 */
final class Backend implements AutoCloseable {
  final String name;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(2);
  private final AtomicLong requests = new AtomicLong();
  private final AtomicInteger failOneIn = new AtomicInteger();

  Backend(String name) {
    this.name = name;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            long n = requests.incrementAndGet();
            int every = failOneIn.get();
            boolean fail = every > 0 && n % every == 0;
            byte[] body = (fail ? "failing " : "").concat(name).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(fail ? 503 : 200, body.length);
            exchange.getResponseBody().write(body);
          }
        });
    server.setExecutor(executor);
    server.start();
  }

  /** Fails every {@code n}th request (0: none). */
  Backend failOneIn(int n) {
    failOneIn.set(n);
    return this;
  }

  int port() {
    return server.getAddress().getPort();
  }

  long requests() {
    return requests.get();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
