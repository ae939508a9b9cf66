package dev.weft.mesh.testing.xds;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Envoy's java-control-plane on loopback: a SimpleCache that serves every node the same snapshot,
 * and callbacks that record every request (so tests can read ACKs and NACKs).
 */
public final class TestControlPlane implements AutoCloseable {
  private final SimpleCache<String> cache = new SimpleCache<>(node -> "all");
  private final List<DiscoveryRequest> requests = new CopyOnWriteArrayList<>();
  private final List<DeltaDiscoveryRequest> deltaRequests = new CopyOnWriteArrayList<>();
  private final AtomicInteger streamsOpened = new AtomicInteger();

  /** The version of every response sent, by nonce. */
  private final Map<String, String> responseVersions = new ConcurrentHashMap<>();

  private final V3DiscoveryServer discovery;
  private Server server;
  private int port;
  private io.netty.channel.EventLoopGroup unixGroup;

  public TestControlPlane() {
    discovery =
        new V3DiscoveryServer(
            new DiscoveryServerCallbacks() {
              @Override
              public void onStreamOpen(long streamId, String typeUrl) {
                streamsOpened.incrementAndGet();
              }

              @Override
              public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
                requests.add(request);
              }

              @Override
              public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
                deltaRequests.add(request);
              }

              @Override
              public void onV3StreamResponse(
                  long streamId, DiscoveryRequest request, DiscoveryResponse response) {
                responseVersions.put(response.getNonce(), response.getVersionInfo());
              }
            },
            cache);
  }

  public TestControlPlane start() throws IOException {
    return startOn(0);
  }

  public TestControlPlane startOn(int wantedPort) throws IOException {
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", wantedPort))
            .addService(discovery.getAggregatedDiscoveryServiceImpl())
            .build()
            .start();
    port = server.getPort();
    return this;
  }

  /** Listens on a Unix domain socket instead, as istio-agent does for proxyless gRPC. */
  @SuppressWarnings("deprecation")
  public TestControlPlane startOnUnixSocket(java.nio.file.Path socket) throws IOException {
    io.netty.channel.EventLoopGroup group = new io.netty.channel.epoll.EpollEventLoopGroup(1);
    server =
        NettyServerBuilder.forAddress(
                new io.netty.channel.unix.DomainSocketAddress(socket.toString()))
            .channelType(io.netty.channel.epoll.EpollServerDomainSocketChannel.class)
            .bossEventLoopGroup(group)
            .workerEventLoopGroup(group)
            .addService(discovery.getAggregatedDiscoveryServiceImpl())
            .build()
            .start();
    unixGroup = group;
    return this;
  }

  public int port() {
    return port;
  }

  public String target() {
    return "127.0.0.1:" + port;
  }

  public void set(Snapshot snapshot) {
    cache.setSnapshot("all", snapshot);
  }

  /** Requests that NACKed something. */
  public List<DiscoveryRequest> nacks() {
    return requests.stream().filter(DiscoveryRequest::hasErrorDetail).toList();
  }

  /** Whether the client ACKed {@code version} of {@code typeUrl}. */
  public boolean acked(String typeUrl, String version) {
    return requests.stream()
        .anyMatch(
            r ->
                r.getTypeUrl().equals(typeUrl)
                    && r.getVersionInfo().equals(version)
                    && !r.hasErrorDetail()
                    && !r.getResponseNonce().isEmpty());
  }

  /** Whether the client answered (ACK or NACK) a response of {@code typeUrl} at {@code version}. */
  public boolean answered(String typeUrl, String version) {
    return requests.stream()
        .anyMatch(
            r ->
                r.getTypeUrl().equals(typeUrl)
                    && !r.getResponseNonce().isEmpty()
                    && version.equals(responseVersions.get(r.getResponseNonce())));
  }

  public void stop() throws InterruptedException {
    if (server != null) {
      server.shutdownNow();
      server.awaitTermination(5, TimeUnit.SECONDS);
      server = null;
    }
    if (unixGroup != null) {
      unixGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
      unixGroup = null;
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }

  /** cache (live view). */
  public SimpleCache<String> cache() {
    return cache;
  }

  /** requests (live view). */
  public List<DiscoveryRequest> requests() {
    return requests;
  }

  /** deltaRequests (live view). */
  public List<DeltaDiscoveryRequest> deltaRequests() {
    return deltaRequests;
  }

  /** streamsOpened (live view). */
  public AtomicInteger streamsOpened() {
    return streamsOpened;
  }

  /** responseVersions (live view). */
  public Map<String, String> responseVersions() {
    return responseVersions;
  }
}
