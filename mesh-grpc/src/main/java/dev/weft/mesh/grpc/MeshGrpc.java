package dev.weft.mesh.grpc;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.TlsSettings;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.security.tls.ReloadingTrustManager;
import dev.weft.mesh.security.tls.TrustBundle;
import dev.weft.mesh.security.tls.WorkloadTls;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.NettyChannelBuilder;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * gRPC clients on a {@link Mesh}: the entry point of {@code mesh-grpc} on the client side.
 *
 * <pre>{@code
 * try (MeshGrpc grpc = MeshGrpc.create(mesh)) {
 *   RatingsGrpc.RatingsBlockingStub ratings = RatingsGrpc.newBlockingStub(grpc.channel("ratings"));
 *   ratings.get(request);
 * }
 * }</pre>
 *
 * <p>Forms: {@link #channel(String)} and {@link #channelFor(String)} (a {@code mesh:///ratings}
 * target) give the shared {@link MeshChannel}; {@link #managedChannel(String)} gives one with a
 * {@link io.grpc.ManagedChannel} life cycle for frameworks that own their channels. Once this
 * client is {@link #registerDefault() registered as the process default}, plain channels built by
 * {@code ManagedChannelBuilder.forTarget("mesh:///ratings")} or {@code
 * Grpc.newChannelBuilder("mesh:///ratings", credentials)} run their calls through it too (see
 * {@link MeshNameResolverProvider} and {@code docs/grpc.md} for what that path does not give).
 *
 * <p>It owns one grpc-java Netty channel (one HTTP/2 connection) per endpoint, shared by every
 * {@link MeshChannel} made from it, kept in a cache keyed by address and TLS settings. A connection
 * closes when its endpoint leaves the configuration, after {@link Builder#idleTimeout idling}, and
 * when this closes.
 *
 * <p><b>Replay buffer.</b> Until a call commits (its first response headers arrive), the messages
 * the caller sent are kept so that a retry or hedge can send them again, up to {@link
 * Builder#maxReplayBufferBytes} ({@value #DEFAULT_MAX_REPLAY_BUFFER_BYTES} bytes by default) per
 * call. A call whose messages outgrow it commits to its current attempt at once: it can no longer
 * be retried or hedged.
 *
 * <p><b>Which calls are retried.</b> As in gRPC (gRFC A6) and Envoy, every method may be retried or
 * hedged under the route's policy, because the mesh only repeats a call before the server has
 * answered. {@link Builder#idempotentMethodsOnly(boolean)} restricts that to methods whose
 * descriptor is marked idempotent or safe (others then follow the route's {@code
 * retryNonIdempotent}).
 *
 * <p>Thread-safe.
 */
public final class MeshGrpc implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MeshGrpc.class);

  /** The default limit of a call's replay buffer: 1 MiB. */
  public static final int DEFAULT_MAX_REPLAY_BUFFER_BYTES = 1 << 20;

  /** The scheme of mesh targets: {@code mesh:///ratings}. */
  public static final String TARGET_SCHEME = "mesh";

  private final Mesh mesh;
  private final int maxReplayBytes;
  private final boolean idempotentMethodsOnly;
  private final Long defaultTimeoutNanos;
  private final Duration shutdownTimeout;
  private final ThreadPoolExecutor executor;
  private final EndpointChannels channels;
  private final java.util.function.Consumer<java.util.List<Mesh.EndpointRemoval>> removalListener;
  private final ConcurrentMap<String, MeshChannel> byService = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean warned = new AtomicBoolean();

  private MeshGrpc(Builder b) {
    this.mesh = b.mesh;
    this.maxReplayBytes = b.maxReplayBufferBytes;
    this.idempotentMethodsOnly = b.idempotentMethodsOnly;
    this.defaultTimeoutNanos = b.defaultTimeout == null ? null : b.defaultTimeout.toNanos();
    this.shutdownTimeout = b.shutdownTimeout;
    AtomicInteger n = new AtomicInteger();
    String prefix = "weft-grpc-" + mesh.name() + "-";
    this.executor =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> {
              Thread t = new Thread(r, prefix + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.channels = new EndpointChannels(b.idleTimeout, executor, b.credentials, b.customizer);
    this.removalListener =
        removals -> {
          if (closed.get()) {
            return;
          }
          for (Mesh.EndpointRemoval r : removals) {
            channels.remove(r.endpoint().host(), r.endpoint().port());
          }
        };
    mesh.addEndpointRemovalListener(removalListener);
  }

  /** A client with the default settings. */
  public static MeshGrpc create(Mesh mesh) {
    return builder(mesh).build();
  }

  /** A builder for a client on {@code mesh}. */
  public static Builder builder(Mesh mesh) {
    return new Builder(mesh);
  }

  /**
   * The channel for a logical service, for example {@code ratings}. Channels are cheap and cached
   * by name; the service need not exist yet (a call to an unknown service fails with {@code
   * UNAVAILABLE} naming the services the configuration knows).
   */
  public MeshChannel channel(String service) {
    requireNonNull(service, "service");
    if (service.isBlank()) {
      throw new IllegalArgumentException("service must not be blank");
    }
    return byService.computeIfAbsent(service, s -> new MeshChannel(this, s));
  }

  /**
   * The channel for a target of the form {@code mesh:///ratings} (also {@code mesh:ratings} and
   * {@code mesh://authority/ratings}, whose authority is ignored): the same channel as {@link
   * #channel(String) channel("ratings")}.
   *
   * @throws IllegalArgumentException if the target is not a mesh target
   */
  public MeshChannel channelFor(String target) {
    return channel(serviceOf(target));
  }

  /**
   * A new channel for a logical service with a {@link io.grpc.ManagedChannel} life cycle of its
   * own, for frameworks that own and shut down their channels; see {@link MeshManagedChannel}.
   */
  public MeshManagedChannel managedChannel(String service) {
    return new MeshManagedChannel(channel(service));
  }

  /** {@link #managedChannel(String)} for a target such as {@code mesh:///ratings}. */
  public MeshManagedChannel managedChannelFor(String target) {
    return managedChannel(serviceOf(target));
  }

  static String serviceOf(String target) {
    requireNonNull(target, "target");
    URI uri;
    try {
      uri = new URI(target);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "'" + target + "' is not a mesh target such as mesh:///ratings", e);
    }
    if (!TARGET_SCHEME.equalsIgnoreCase(uri.getScheme())) {
      throw new IllegalArgumentException(
          "'"
              + target
              + "' is not a mesh target: the scheme must be '"
              + TARGET_SCHEME
              + "', as in mesh:///ratings");
    }
    String name = uri.isOpaque() ? uri.getSchemeSpecificPart() : uri.getPath();
    while (name != null && name.startsWith("/")) {
      name = name.substring(1);
    }
    if (name == null || name.isBlank() || name.contains("/")) {
      throw new IllegalArgumentException(
          "'" + target + "' names no service: write mesh:///<service>, as in mesh:///ratings");
    }
    return name;
  }

  /**
   * Makes this client the process's default for {@code mesh:///service} targets of plain grpc-java
   * channels, until the returned registration or this client is closed. Registrations nest: the
   * most recent one still open wins, and closing it restores the one before.
   *
   * <pre>{@code
   * try (MeshGrpcRegistration registration = grpc.registerDefault()) {
   *   ManagedChannel channel = ManagedChannelBuilder.forTarget("mesh:///ratings").build();
   *   ...
   * }
   * }</pre>
   *
   * @throws IllegalStateException if this client is closed
   */
  public MeshGrpcRegistration registerDefault() {
    return MeshGrpcRegistration.register(this);
  }

  /**
   * The client that {@code mesh:///service} targets of plain grpc-java channels use now: the one of
   * the most recent {@link #registerDefault() registration} still open, if any.
   */
  public static java.util.Optional<MeshGrpc> registeredDefault() {
    return java.util.Optional.ofNullable(MeshGrpcRegistration.current());
  }

  boolean isClosed() {
    return closed.get();
  }

  /** The mesh these channels route through. */
  public Mesh mesh() {
    return mesh;
  }

  /** How many endpoint connections (grpc-java channels) are open, those still draining included. */
  public int openConnections() {
    return channels.openChannels();
  }

  /**
   * Closes every endpoint connection, letting calls in flight finish for up to the shutdown timeout
   * before cancelling them, and stops this client's threads. Calls made afterwards fail with {@code
   * UNAVAILABLE}. Ends this client's {@link #registerDefault() registrations as the default}. Does
   * not close the mesh. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    MeshGrpcRegistration.unregisterAll(this);
    mesh.removeEndpointRemovalListener(removalListener);
    channels.close(shutdownTimeout);
    executor.shutdown();
    try {
      if (!executor.awaitTermination(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  // ---- for calls ----

  Executor executor() {
    return executor;
  }

  EndpointChannels channels() {
    return channels;
  }

  int maxReplayBytes() {
    return maxReplayBytes;
  }

  boolean idempotentMethodsOnly() {
    return idempotentMethodsOnly;
  }

  Long defaultTimeoutNanos() {
    return defaultTimeoutNanos;
  }

  void warnOnce(String what, Throwable e) {
    if (warned.compareAndSet(false, true)) {
      log.warn("{} (further such warnings are not logged)", what, e);
    }
  }

  /**
   * The credentials used unless {@link Builder#channelCredentials} says otherwise: plaintext for
   * clusters without TLS; for {@code SIMPLE} and {@code MUTUAL}, TLS from the PEM files the
   * cluster's {@link TlsSettings} names (the JDK's trust store when it names no CA file and expects
   * no identity). A cluster with {@code subjectAltNames} gets exactly that check: the server must
   * present one of them, verified against the cluster's CA file (a cluster that expects identities
   * without a CA file is refused). Rotating workload certificates come from {@code mesh-security}
   * through {@link Builder#workloadTls}.
   */
  public static ChannelCredentials defaultCredentials(Cluster cluster) {
    TlsSettings tls = cluster.tls();
    if (tls.mode() == TlsSettings.Mode.DISABLED) {
      return InsecureChannelCredentials.create();
    }
    try {
      TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder();
      if (!tls.subjectAltNames().isEmpty()) {
        // the cluster names the server it expects: that check is made, never dropped
        b.trustManager(expectedServerVerifier(cluster));
      } else if (!tls.caCertificates().isEmpty()) {
        b.trustManager(new File(tls.caCertificates()));
      }
      if (tls.mode() == TlsSettings.Mode.MUTUAL && !tls.certificateChain().isEmpty()) {
        b.keyManager(new File(tls.certificateChain()), new File(tls.privateKey()));
      }
      return b.build();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read the TLS files of cluster '" + cluster.name() + "'", e);
    }
  }

  /**
   * A verifier of the cluster's CA file that also requires the server to present one of the
   * cluster's {@code subjectAltNames}; a cluster that expects identities but names no CA file is
   * refused, since the JDK's trust store cannot vouch for a workload identity.
   */
  private static ReloadingTrustManager expectedServerVerifier(Cluster cluster) {
    TlsSettings tls = cluster.tls();
    if (tls.caCertificates().isEmpty()) {
      throw new IllegalStateException(
          "cluster '"
              + cluster.name()
              + "' expects the server to be one of "
              + tls.subjectAltNames()
              + " but names no CA certificates to verify it against; set its tls.caCertificates,"
              + " or give the client the workload's TLS (MeshGrpc.Builder.workloadTls)");
    }
    boolean allSpiffe = tls.subjectAltNames().stream().allMatch(n -> n.startsWith("spiffe://"));
    return ReloadingTrustManager.builder(TrustBundle.fromFile(Path.of(tls.caCertificates())))
        .expectedServerIdentities(tls.subjectAltNames())
        .requireSpiffeId(allSpiffe)
        .build();
  }

  /** Builds a {@link MeshGrpc}. */
  public static final class Builder {
    private final Mesh mesh;
    private int maxReplayBufferBytes = DEFAULT_MAX_REPLAY_BUFFER_BYTES;
    private Duration idleTimeout = Duration.ofMinutes(5);
    private Duration shutdownTimeout = Duration.ofSeconds(5);
    private Duration defaultTimeout;
    private boolean idempotentMethodsOnly;
    private Function<Cluster, ChannelCredentials> credentials = MeshGrpc::defaultCredentials;
    private Consumer<NettyChannelBuilder> customizer = b -> {};

    private Builder(Mesh mesh) {
      this.mesh = requireNonNull(mesh, "mesh");
    }

    /**
     * The most bytes of request messages a call keeps for replay before it commits; default {@value
     * MeshGrpc#DEFAULT_MAX_REPLAY_BUFFER_BYTES}. A call that sends more can no longer be retried or
     * hedged. 0 commits every call with its first message.
     */
    public Builder maxReplayBufferBytes(int maxReplayBufferBytes) {
      if (maxReplayBufferBytes < 0) {
        throw new IllegalArgumentException(
            "maxReplayBufferBytes must not be negative, was " + maxReplayBufferBytes);
      }
      this.maxReplayBufferBytes = maxReplayBufferBytes;
      return this;
    }

    /** How long an endpoint's connection may stay unused before it is closed; default 5 minutes. */
    public Builder idleTimeout(Duration idleTimeout) {
      requireNonNull(idleTimeout, "idleTimeout");
      if (idleTimeout.isNegative() || idleTimeout.isZero()) {
        throw new IllegalArgumentException("idleTimeout must be positive, was " + idleTimeout);
      }
      this.idleTimeout = idleTimeout;
      return this;
    }

    /** How long {@link MeshGrpc#close()} lets calls in flight finish; default 5 s. */
    public Builder shutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = requireNonNull(shutdownTimeout, "shutdownTimeout");
      return this;
    }

    /**
     * The timeout of calls that carry no deadline; default none (the route's timeout still
     * applies).
     */
    public Builder defaultTimeout(Duration defaultTimeout) {
      this.defaultTimeout = requireNonNull(defaultTimeout, "defaultTimeout");
      return this;
    }

    /**
     * Whether only methods marked idempotent or safe in their descriptor may be retried and hedged;
     * default false (every method may be, as in gRPC, since the mesh repeats a call only before the
     * server has answered).
     */
    public Builder idempotentMethodsOnly(boolean idempotentMethodsOnly) {
      this.idempotentMethodsOnly = idempotentMethodsOnly;
      return this;
    }

    /**
     * How connections to a cluster are secured: the hook for {@code mesh-security}'s mTLS
     * credentials (rotating key material, SPIFFE verification). Default: {@link
     * MeshGrpc#defaultCredentials(Cluster)}.
     */
    public Builder channelCredentials(Function<Cluster, ChannelCredentials> credentials) {
      this.credentials = requireNonNull(credentials, "credentials");
      return this;
    }

    /**
     * Secures connections with a {@code mesh-security} workload: shorthand for {@code
     * channelCredentials(MeshGrpcSecurity.channelCredentials(tls))}. Clusters whose TLS mode is
     * {@code SIMPLE} or {@code MUTUAL} then verify the server's SPIFFE ID against their {@code
     * subjectAltNames} and (mutual) present the workload's rotating certificate; plaintext clusters
     * stay plaintext. The caller keeps ownership of {@code tls} (closing this client does not close
     * it).
     */
    public Builder workloadTls(WorkloadTls tls) {
      return channelCredentials(MeshGrpcSecurity.channelCredentials(tls));
    }

    /** Adjusts each endpoint channel before it is built (keepalive, message size limits...). */
    public Builder channelCustomizer(Consumer<NettyChannelBuilder> customizer) {
      this.customizer = requireNonNull(customizer, "customizer");
      return this;
    }

    public MeshGrpc build() {
      return new MeshGrpc(this);
    }
  }
}
