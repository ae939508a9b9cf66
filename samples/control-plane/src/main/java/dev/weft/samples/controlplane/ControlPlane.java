package dev.weft.samples.controlplane;

import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.spi.ConfigListener;
import dev.weft.mesh.config.file.FileConfigSource;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small xDS control plane: it reads a Weft YAML file (and every later good version of it),
 * translates it with {@link MeshToXds} and serves it over ADS (state of the world and delta) to
 * every client, whatever its node. Many services can share it; each watches the listeners named
 * after the services it calls. A configuration {@link MeshToXds} cannot serve faithfully is refused
 * like an invalid file: at start it fails {@link #start}, later the previous one stays served.
 *
 * <pre>
 * ControlPlane [--port 18000] [--config FILE]      FILE defaults to &lt;tmp&gt;/weft-bookinfo/mesh.yaml
 * </pre>
 */
public final class ControlPlane implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);
  private static final String GROUP = "all";

  private final SimpleCache<String> cache = new SimpleCache<>(node -> GROUP);
  private final FileConfigSource source;
  private final Server server;
  private final AtomicLong snapshots = new AtomicLong();
  private volatile String servedVersion = "";

  private ControlPlane(Path file, int port) throws IOException {
    this.source = FileConfigSource.builder(file).build();
    source.start(
        new ConfigListener() {
          @Override
          public void onConfig(MeshConfig config) {
            serve(config);
          }

          @Override
          public void onError(Throwable error) {
            log.warn(
                "{}: not served, the previous configuration stays: {}", file, error.getMessage());
          }
        });
    V3DiscoveryServer discovery = new V3DiscoveryServer(cache);
    this.server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
            .addService(discovery.getAggregatedDiscoveryServiceImpl())
            .build()
            .start();
  }

  /** Serves {@code file} on loopback {@code port} (0 picks a free one) until closed. */
  public static ControlPlane start(Path file, int port) throws IOException {
    return new ControlPlane(file, port);
  }

  private void serve(MeshConfig config) {
    String version = snapshots.incrementAndGet() + "-" + config.version();
    cache.setSnapshot(GROUP, MeshToXds.snapshot(config, version));
    servedVersion = version;
    log.info(
        "serving version {}: {} services, {} clusters",
        version,
        config.services().size(),
        config.clusters().size());
  }

  /** The version of the resources being served: a counter and the file's version. */
  public String servedVersion() {
    return servedVersion;
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() throws InterruptedException {
    source.close();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  public static void main(String[] args) throws Exception {
    int port = 18000;
    Path file = Path.of(System.getProperty("java.io.tmpdir"), "weft-bookinfo", "mesh.yaml");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--config" -> file = Path.of(args[++i]).toAbsolutePath();
        default ->
            throw new IllegalArgumentException(
                "unknown argument "
                    + args[i]
                    + "; usage: ControlPlane [--port 18000] [--config FILE]");
      }
    }
    if (!java.nio.file.Files.exists(file)) {
      System.out.printf("waiting for %s (the BookInfo command writes it)%n", file);
      while (!java.nio.file.Files.exists(file)) {
        Thread.sleep(500);
      }
    }
    ControlPlane plane = start(file, port);
    System.out.printf(
        "xDS control plane on 127.0.0.1:%d serving %s (version %s); Ctrl-C stops.%n",
        plane.port(), file, plane.servedVersion());
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    plane.close();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }));
    plane.server.awaitTermination();
  }
}
