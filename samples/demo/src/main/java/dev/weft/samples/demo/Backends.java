package dev.weft.samples.demo;

import com.sun.net.httpserver.HttpServer;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.MeshConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Small HTTP servers on loopback, one per endpoint address in the configuration, each answering
 * with who it is. One of them fails now and then, so the demo has something to retry.
 */
final class Backends implements AutoCloseable {
  private final List<HttpServer> servers = new ArrayList<>();
  private final ExecutorService executor =
      Executors.newFixedThreadPool(
          8,
          r -> {
            Thread t = new Thread(r, "demo-backend");
            t.setDaemon(true);
            return t;
          });

  Backends(MeshConfig config, String flakyAddress, double failureShare, long seed)
      throws IOException {
    // Without this the JDK server waits on Nagle's algorithm and every call takes about 40 ms.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    Set<String> started = new LinkedHashSet<>();
    Random random = new Random(seed);
    for (Cluster cluster : config.clusters()) {
      for (Endpoint e : cluster.endpoints()) {
        if (!e.host().equals("127.0.0.1")
            && !e.host().equals("::1")
            && !e.host().equals("localhost")) {
          continue; // the demo serves loopback addresses only
        }
        if (!started.add(e.address())) {
          continue;
        }
        String identity =
            cluster.name()
                + (e.labels().containsKey("version") ? " " + e.labels().get("version") : "")
                + " @ "
                + e.address();
        boolean flaky = e.address().equals(flakyAddress);
        HttpServer server = HttpServer.create(new InetSocketAddress(e.host(), e.port()), 0);
        server.createContext(
            "/",
            exchange -> {
              int status = 200;
              synchronized (random) {
                if (flaky && random.nextDouble() < failureShare) {
                  status = 503;
                }
              }
              byte[] body =
                  ("{\"servedBy\":\"" + identity + "\"}").getBytes(StandardCharsets.UTF_8);
              exchange.getResponseHeaders().add("content-type", "application/json");
              exchange.getResponseHeaders().add("x-served-by", identity);
              exchange.sendResponseHeaders(status, body.length);
              try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
              }
            });
        server.setExecutor(executor);
        server.start();
        servers.add(server);
      }
    }
  }

  int count() {
    return servers.size();
  }

  @Override
  public void close() {
    for (HttpServer s : servers) {
      s.stop(0);
    }
    executor.shutdownNow();
  }
}
