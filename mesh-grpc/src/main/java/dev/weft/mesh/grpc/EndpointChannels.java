package dev.weft.mesh.grpc;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.TlsSettings;
import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.ChannelOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One grpc-java channel (one HTTP/2 connection) per endpoint, kept in a Caffeine cache keyed by the
 * address and the cluster's TLS settings. A channel is shut down gracefully (calls in flight
 * finish) when its endpoint leaves the configuration, when it has been idle for the idle timeout,
 * and when the cache closes.
 */
final class EndpointChannels implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EndpointChannels.class);

  /** What makes two channels interchangeable; its hash is computed once. */
  static final class Key {
    private final String host;
    private final int port;
    private final TlsSettings tls;
    private final long connectTimeoutMillis;
    private final int hash;

    Key(String host, int port, TlsSettings tls, long connectTimeoutMillis) {
      this.host = host;
      this.port = port;
      this.tls = tls;
      this.connectTimeoutMillis = connectTimeoutMillis;
      this.hash = Objects.hash(host, port, tls, connectTimeoutMillis);
    }

    String host() {
      return host;
    }

    int port() {
      return port;
    }

    TlsSettings tls() {
      return tls;
    }

    long connectTimeoutMillis() {
      return connectTimeoutMillis;
    }

    @Override
    public boolean equals(Object o) {
      return o == this
          || (o instanceof Key k
              && k.hash == hash
              && k.port == port
              && k.connectTimeoutMillis == connectTimeoutMillis
              && k.host.equals(host)
              && k.tls.equals(tls));
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  /**
   * A recent look-up, found again by the identity of the configuration objects an attempt carries
   * (the same {@link Endpoint} and {@link Cluster} instances for as long as a configuration is in
   * force), so that a call's look-up neither builds nor hashes a key.
   */
  private record Recent(Endpoint endpoint, Cluster cluster, Key key, ManagedChannel channel) {}

  private static final int RECENT_SLOTS = 256;

  private final AtomicReferenceArray<Recent> recent = new AtomicReferenceArray<>(RECENT_SLOTS);

  private final Cache<Key, ManagedChannel> cache;
  private final Set<ManagedChannel> draining = ConcurrentHashMap.newKeySet();
  private final Executor executor;
  private final Function<Cluster, ChannelCredentials> credentials;
  private final Consumer<NettyChannelBuilder> customizer;
  private volatile boolean closed;

  EndpointChannels(
      Duration idleTimeout,
      Executor executor,
      Function<Cluster, ChannelCredentials> credentials,
      Consumer<NettyChannelBuilder> customizer) {
    this.executor = executor;
    this.credentials = credentials;
    this.customizer = customizer;
    this.cache =
        Caffeine.newBuilder()
            .expireAfterAccess(idleTimeout)
            .scheduler(Scheduler.systemScheduler())
            .executor(Runnable::run)
            .removalListener(this::onRemoval)
            .build();
  }

  /** The channel to {@code endpoint} of {@code cluster}, made on first use. */
  ManagedChannel get(Endpoint endpoint, Cluster cluster) {
    if (closed) {
      throw new IllegalStateException("the mesh gRPC client is closed");
    }
    int slot =
        (System.identityHashCode(endpoint) * 31 + System.identityHashCode(cluster))
            & (RECENT_SLOTS - 1);
    Recent r = recent.get(slot);
    if (r != null && r.endpoint == endpoint && r.cluster == cluster) {
      // Still the cached channel (this look-up also counts as its use for the idle timeout)?
      ManagedChannel c = cache.getIfPresent(r.key);
      if (c == r.channel) {
        return c;
      }
    }
    Key key =
        new Key(
            endpoint.host(), endpoint.port(), cluster.tls(), cluster.connectTimeout().toMillis());
    ManagedChannel c = cache.get(key, k -> create(k, cluster));
    recent.set(slot, new Recent(endpoint, cluster, key, c));
    return c;
  }

  private ManagedChannel create(Key key, Cluster cluster) {
    NettyChannelBuilder b =
        NettyChannelBuilder.forAddress(key.host(), key.port(), credentials.apply(cluster))
            .executor(executor)
            .disableRetry() // the mesh runs the attempts
            .withOption(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, key.connectTimeoutMillis()));
    if (!key.tls().sni().isEmpty()) {
      b.overrideAuthority(key.tls().sni());
    }
    customizer.accept(b);
    ManagedChannel channel = b.build();
    log.debug("opened a gRPC channel to {}:{}", key.host(), key.port());
    return channel;
  }

  private void onRemoval(Key key, ManagedChannel channel, RemovalCause cause) {
    if (channel == null) {
      return;
    }
    forgetRecent(channel);
    draining.removeIf(ManagedChannel::isTerminated);
    draining.add(channel);
    channel.shutdown();
    log.debug(
        "closing the gRPC channel to {}:{} ({})",
        key == null ? "?" : key.host(),
        key == null ? 0 : key.port(),
        cause);
  }

  /** Drops the recent look-ups of {@code channel} (of every channel when null). */
  private void forgetRecent(ManagedChannel channel) {
    for (int i = 0; i < RECENT_SLOTS; i++) {
      Recent r = recent.get(i);
      if (r != null && (channel == null || r.channel == channel)) {
        recent.compareAndSet(i, r, null);
      }
    }
  }

  /** Closes the channels to an endpoint that left the configuration. */
  void remove(String host, int port) {
    List<Key> gone = new ArrayList<>();
    for (Key k : cache.asMap().keySet()) {
      if (k.host().equals(host) && k.port() == port) {
        gone.add(k);
      }
    }
    cache.invalidateAll(gone);
  }

  /** How many channels are open (cached and still draining). */
  int openChannels() {
    cache.cleanUp();
    draining.removeIf(ManagedChannel::isTerminated);
    return (int) cache.estimatedSize() + draining.size();
  }

  /**
   * Shuts every channel down, waiting up to {@code timeout} for calls in flight before forcing
   * them.
   */
  void close(Duration timeout) {
    closed = true;
    cache.invalidateAll();
    cache.cleanUp();
    forgetRecent(null);
    long deadline = System.nanoTime() + timeout.toNanos();
    for (ManagedChannel c : List.copyOf(draining)) {
      try {
        if (!c.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          c.shutdownNow();
          c.awaitTermination(1, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        c.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    draining.removeIf(ManagedChannel::isTerminated);
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }
}
