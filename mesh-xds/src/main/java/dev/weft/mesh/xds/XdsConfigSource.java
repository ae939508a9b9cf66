package dev.weft.mesh.xds;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.config.ConfigViolation;
import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.runtime.Scheduler;
import dev.weft.mesh.api.spi.ConfigListener;
import dev.weft.mesh.api.spi.ConfigSource;
import dev.weft.mesh.api.spi.StartupMode;
import dev.weft.mesh.xds.XdsTranslator.Result;
import dev.weft.mesh.xds.XdsTranslator.State;
import dev.weft.mesh.xds.XdsTranslator.Target;
import dev.weft.mesh.xds.bootstrap.Bootstrap;
import dev.weft.mesh.xds.internal.client.DirectoryResourceCache;
import dev.weft.mesh.xds.internal.client.ResourceCache;
import dev.weft.mesh.xds.internal.client.UpdateGate;
import dev.weft.mesh.xds.internal.client.XdsClient;
import dev.weft.mesh.xds.internal.client.XdsClientStatus;
import dev.weft.mesh.xds.internal.client.XdsResourceType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ConfigSource} fed by an xDS management server (Istio, or any Envoy v3 control plane)
 * over ADS. It watches the listeners of its targets, follows them to route configurations, clusters
 * and endpoints, and delivers a {@link MeshConfig} only when the whole set is complete and
 * consistent.
 *
 * <p>Targets are {@code xds:///name} URIs (the listener is the bootstrap's client listener template
 * applied to {@code name}, {@code name} itself by default) or plain listener names. The mesh
 * service is named after the listener ({@code reviews.default.svc.cluster.local:9080}); unambiguous
 * short aliases are added too: the host without the port ({@code
 * reviews.default.svc.cluster.local}) and its first label ({@code reviews}). Clusters keep their
 * xDS names ({@code outbound|9080|v2|reviews.default.svc.cluster.local}).
 *
 * <p>With {@link Builder#serverListener(String)} it also watches the server Listener of this
 * process and turns its RBAC HTTP filters (gRFC A41) into the configuration's authorization
 * policies.
 *
 * <p>A response that holds an invalid resource, or that would make the mesh reject the resulting
 * configuration, is NACKed as a whole and the configuration in force stays. Losing the management
 * server keeps the configuration in force; with {@link Builder#cacheDirectory(Path)} a restarted
 * process serves from the last accepted resources until the server answers.
 *
 * <p>Start-up ({@link Builder#startupMode}): in {@link StartupMode#WAIT} (the default without a
 * cache directory) calls wait for the first complete configuration; {@link #awaiting()} names the
 * server, the resources still awaited and since when. {@link StartupMode#SERVE_CACHED} (the default
 * with a cache directory, and only with one) starts from the on-disk copy when the server is down,
 * and says so in its status ({@code servingFromCache}) and logs. {@link StartupMode#FAIL_FAST}
 * makes the mesh's build fail when no configuration comes within its startup wait.
 *
 * <p>Threading: the listener is called serially on the xDS client's thread.
 */
public final class XdsConfigSource implements ConfigSource {
  private static final Logger log = LoggerFactory.getLogger(XdsConfigSource.class);

  private final Bootstrap bootstrap;
  private final List<Target> targets;

  /** The server listener of this process, or null when none was asked for. */
  private final String serverListener;

  private final XdsResourceTypes types;
  private final XdsClient.Builder clientBuilder;
  private final MeterRegistry meterRegistry;
  private final AtomicInteger connected = new AtomicInteger();
  private final StartupMode startupMode;
  private final Path cacheDirectory;

  /** When {@link #start} ran; for people reading {@link #awaiting()}, never for logic. */
  private volatile Instant startedAt;

  private volatile boolean servingFromCache;

  // Confined to the client's work thread once started.
  private final WatchedResources resources;
  private ConfigListener listener;
  private XdsClient client;
  private MeshConfig delivered;
  private boolean flushQueued;
  private boolean rejectedByListener;
  private boolean unavailableReported;
  private volatile String deliveredVersion = "";
  private volatile List<String> awaiting = List.of();
  private volatile String lastError = "";

  private XdsConfigSource(Builder b) {
    this.bootstrap = b.bootstrap;
    this.targets =
        XdsTargets.parse(b.targets, b.bootstrap.clientDefaultListenerResourceNameTemplate());
    this.serverListener =
        b.serverListener == null
            ? null
            : b.bootstrap.serverListenerResourceNameTemplate().replace("%s", b.serverListener);
    this.types =
        new XdsResourceTypes(
            b.bootstrap.certificateProviders(),
            serverListener == null ? Set.of() : Set.of(serverListener));
    this.resources = new WatchedResources(types, this::scheduleFlush);
    this.meterRegistry = b.meterRegistry;
    this.cacheDirectory = b.cacheDirectory;
    this.startupMode =
        b.startupMode != null
            ? b.startupMode
            : b.cacheDirectory == null ? StartupMode.WAIT : StartupMode.SERVE_CACHED;
    this.clientBuilder =
        XdsClient.builder(b.bootstrap)
            .resourceTimeout(b.resourceTimeout)
            .reconnectBackoff(b.initialBackoff, b.maxBackoff)
            .cache(
                b.cacheDirectory == null
                    ? ResourceCache.NONE
                    : startupMode == StartupMode.SERVE_CACHED
                        ? new DirectoryResourceCache(b.cacheDirectory)
                        : keepOnly(new DirectoryResourceCache(b.cacheDirectory)))
            .delta(b.delta);
    if (b.scheduler != null) {
      clientBuilder.scheduler(b.scheduler);
    }
  }

  /** A cache that keeps a copy for a later start in serve-cached mode but serves none now. */
  private static ResourceCache keepOnly(ResourceCache cache) {
    return new ResourceCache() {
      @Override
      public void store(String typeUrl, String version, List<com.google.protobuf.Any> resources) {
        cache.store(typeUrl, version, resources);
      }

      @Override
      public Map<String, Stored> load() {
        return Map.of();
      }
    };
  }

  /** A builder for a source that reads {@code bootstrap}; at least one target is required. */
  public static Builder builder(Bootstrap bootstrap) {
    return new Builder(bootstrap);
  }

  @Override
  public void start(ConfigListener newListener) {
    requireNonNull(newListener, "listener");
    synchronized (this) {
      if (client != null) {
        throw new IllegalStateException("already started");
      }
      listener = newListener;
      startedAt = Instant.now();
      client = clientBuilder.gate(this::check).events(new Events()).build();
    }
    log.info(
        "xDS source starting in startup mode {}: {}{}",
        startupMode.configName(),
        description(),
        startupMode == StartupMode.SERVE_CACHED
            ? "; serving the copy in " + cacheDirectory + " until the server answers"
            : "");
    if (meterRegistry != null) {
      Gauge.builder("weft.xds.connected", connected, AtomicInteger::get)
          .description("1 while the ADS stream to the management server is open")
          .register(meterRegistry);
    }
    for (Target t : targets) {
      resources.watchListener(client, t.listener());
    }
    if (serverListener != null
        && targets.stream().noneMatch(t -> t.listener().equals(serverListener))) {
      resources.watchListener(client, serverListener);
    }
    client.start();
  }

  @Override
  public String description() {
    String server = bootstrap.servers().get(0).serverUri();
    return "xds:"
        + server
        + " "
        + targets.stream().map(Target::listener).toList()
        + (serverListener == null ? "" : " server " + serverListener);
  }

  @Override
  public StartupMode startupMode() {
    return startupMode;
  }

  /**
   * The server, its connection state, the resources still awaited and since when, for example
   * {@code xDS server localhost:15010 (connecting; last stream error: ...) to send Listener
   * reviews:9080, RouteConfiguration r (waiting since 2026-01-01T10:00:00Z)}.
   */
  @Override
  public String awaiting() {
    XdsStatus st = xdsStatus();
    List<String> missing = st.awaiting();
    if (missing.isEmpty()) {
      List<String> listeners = new ArrayList<>();
      for (Target t : targets) {
        listeners.add("Listener " + t.listener());
      }
      if (serverListener != null && !listeners.contains("Listener " + serverListener)) {
        listeners.add("Listener " + serverListener);
      }
      missing = listeners;
    }
    StringBuilder sb = new StringBuilder("xDS server ").append(st.client().server()).append(" (");
    sb.append(st.client().state().name().toLowerCase(Locale.ROOT));
    if (!st.client().lastStreamError().isEmpty()) {
      sb.append("; last stream error: ").append(st.client().lastStreamError());
    }
    sb.append(") to send ").append(String.join(", ", missing));
    Instant since = startedAt;
    if (since != null) {
      sb.append(" (waiting since ").append(since).append(')');
    }
    if (startupMode == StartupMode.SERVE_CACHED) {
      sb.append("; no usable cached copy in ").append(cacheDirectory);
    }
    return sb.toString();
  }

  /** The name of the server Listener this source reads authorization policies from, if any. */
  public Optional<String> serverListenerName() {
    return Optional.ofNullable(serverListener);
  }

  /** The stream, per-type versions, nonces and counts, and what the source is waiting for. */
  public XdsStatus xdsStatus() {
    XdsClient c = client;
    XdsClientStatus cs =
        c == null
            ? new XdsClientStatus(
                bootstrap.servers().get(0).serverUri(),
                XdsClientStatus.ConnectionState.CONNECTING,
                "",
                List.of())
            : c.status();
    return new XdsStatus(
        cs, targets.stream().map(Target::listener).toList(), deliveredVersion, awaiting, lastError);
  }

  /** {@link #status()} as plain data for the mesh's config dump. */
  @Override
  public Map<String, Object> status() {
    Map<String, Object> m = new java.util.LinkedHashMap<>(xdsStatus().toDump(serverListener));
    m.put("startupMode", startupMode.configName());
    if (cacheDirectory != null) {
      m.put("cacheDirectory", cacheDirectory.toString());
      m.put("servingFromCache", servingFromCache);
    }
    return m;
  }

  @Override
  public void close() {
    XdsClient c;
    synchronized (this) {
      c = client;
    }
    if (c != null) {
      c.close();
    }
  }

  // ---- on the client's work thread ----

  /** The gate: a response is accepted only if the configuration it completes is accepted too. */
  private void check(XdsResourceType<?> type, String version, Map<String, Object> newState)
      throws UpdateGate.UpdateRejectedException {
    State state = resources.candidate(type, newState);
    Result result = XdsTranslator.translate(targets, serverListener, state);
    if (!result.complete()) {
      return;
    }
    try {
      deliver(result, true, type, version);
    } catch (InvalidConfigException e) {
      throw new UpdateGate.UpdateRejectedException(
          type.shortName()
              + " response rejected: the configuration it completes is invalid: "
              + e.violations().stream().map(Object::toString).toList());
    }
  }

  /**
   * Builds and delivers the configuration if it changed; throws if the model or the listener
   * rejects it.
   */
  private void deliver(
      Result result, boolean fromGate, XdsResourceType<?> pendingType, String pendingVersion) {
    String version = version(pendingType, pendingVersion);
    MeshConfig config;
    try {
      config = result.config(version);
    } catch (InvalidConfigException e) {
      throw located(e, result);
    }
    if (delivered != null && delivered.withVersion("x").equals(config.withVersion("x"))) {
      return;
    }
    try {
      listener.onConfig(config);
    } catch (InvalidConfigException e) {
      rejectedByListener = fromGate;
      throw located(e, result);
    }
    delivered = config;
    deliveredVersion = version;
    lastError = "";
    boolean cached =
        client.status().types().stream().anyMatch(XdsClientStatus.TypeStatus::fromCache);
    if (cached && !servingFromCache) {
      log.info(
          "xDS source serving configuration {} from the copy in {}: {} has not confirmed it yet",
          version,
          cacheDirectory,
          bootstrap.servers().get(0).serverUri());
    } else if (!cached && servingFromCache) {
      log.info(
          "xDS source no longer serving from its cached copy: {} delivered configuration {}",
          bootstrap.servers().get(0).serverUri(),
          version);
    }
    servingFromCache = cached;
  }

  /**
   * Each violation located at the xDS resource its element was made of, as the translation says.
   */
  private InvalidConfigException located(InvalidConfigException e, Result result) {
    List<ConfigViolation> out = new ArrayList<>();
    for (ConfigViolation v : e.violations()) {
      out.add(v.at(result.originOf(v.path()).map(XdsTranslator.Origin::location).orElse("xDS")));
    }
    return new InvalidConfigException("xDS " + bootstrap.servers().get(0).serverUri(), out);
  }

  /**
   * {@code lds:3,rds:3,cds:2,eds:7}: the versions in force, with the one a pending response would
   * set.
   */
  private String version(XdsResourceType<?> pendingType, String pendingVersion) {
    StringBuilder sb = new StringBuilder();
    for (XdsClientStatus.TypeStatus t : client.status().types()) {
      if (sb.length() > 0) {
        sb.append(',');
      }
      String v = t.type() == pendingType ? pendingVersion : t.version();
      sb.append(types.abbreviation(t.type()))
          .append(':')
          .append(v.isEmpty() ? (t.fromCache() ? "cached" : "-") : v.replaceAll("\\s", "_"));
    }
    return sb.length() == 0 ? "xds" : sb.toString();
  }

  /** Coalesces watcher events into one pass after the work queued now (a whole response). */
  private void scheduleFlush() {
    if (!flushQueued) {
      flushQueued = true;
      client.execute(this::flush);
    }
  }

  private void flush() {
    flushQueued = false;
    Result result = XdsTranslator.translate(targets, serverListener, resources.state());
    reconcile(result);
    awaiting = List.copyOf(result.missing());
    if (result.complete()) {
      try {
        deliver(result, false, null, "");
      } catch (InvalidConfigException e) {
        lastError = e.getMessage();
        log.warn("xDS configuration not applied; the one in force stays: {}", e.getMessage());
      } catch (RuntimeException e) {
        lastError = e.toString();
        log.warn("xDS configuration not applied: the listener failed; the one in force stays", e);
      }
    }
  }

  /** Subscribes to what the resources in hand refer to and drops what they no longer do. */
  private void reconcile(Result result) {
    resources.syncWatches(client, result);
    // A newly watched resource may already be in hand; a second pass picks up what it refers to.
    Result again = XdsTranslator.translate(targets, serverListener, resources.state());
    if (!again.routeNames().equals(result.routeNames())
        || !again.clusterNames().equals(result.clusterNames())
        || !again.edsNames().equals(result.edsNames())) {
      scheduleFlush();
    }
  }

  /** Stream and update events: the listener hears of them as information; metrics count them. */
  private final class Events implements XdsClient.Events {
    @Override
    public void onConnectionState(boolean isConnected, String serverUri, String error) {
      connected.set(isConnected ? 1 : 0);
      if (isConnected) {
        unavailableReported = false;
      } else {
        lastError = error;
        if (!unavailableReported) {
          // Once per outage: every failed reconnection attempt would otherwise be reported again.
          unavailableReported = true;
          listener.onError(
              new XdsUnavailableException(error + "; the configuration in force stays"));
        }
      }
    }

    @Override
    public void onUpdate(XdsResourceType<?> type, boolean accepted, String error) {
      if (meterRegistry != null) {
        Counter.builder("weft.xds.updates")
            .tag("type", type.shortName())
            .tag("result", accepted ? "accepted" : "rejected")
            .description("xDS responses accepted (ACK) and rejected (NACK)")
            .register(meterRegistry)
            .increment();
      }
      if (!accepted) {
        lastError = error;
        if (rejectedByListener) {
          rejectedByListener = false; // the mesh already recorded its own rejection
          return;
        }
        listener.onError(
            new InvalidConfigException(
                "xDS " + bootstrap.servers().get(0).serverUri(),
                List.of(new ConfigViolation("xDS " + type.shortName(), "", error))));
      }
    }
  }

  /** Builds an {@link XdsConfigSource}. */
  public static final class Builder {
    private final Bootstrap bootstrap;
    private final List<String> targets = new ArrayList<>();
    private Path cacheDirectory;
    private Scheduler scheduler;
    private Duration resourceTimeout = Duration.ofSeconds(15);
    private Duration initialBackoff = Duration.ofSeconds(1);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private MeterRegistry meterRegistry;
    private boolean delta;
    private String serverListener;
    private StartupMode startupMode;

    private Builder(Bootstrap bootstrap) {
      this.bootstrap = requireNonNull(bootstrap, "bootstrap");
    }

    /** Adds targets: {@code xds:///reviews.default.svc.cluster.local:9080} or listener names. */
    public Builder targets(String... targets) {
      for (String t : targets) {
        this.targets.add(requireNonNull(t, "target"));
      }
      return this;
    }

    /** Adds targets; see {@link #targets(String...)}. */
    public Builder targets(List<String> targets) {
      return targets(targets.toArray(new String[0]));
    }

    /**
     * Keeps a copy of the last accepted resources in {@code directory}, and serves from it at start
     * until the management server answers. Off by default.
     */
    public Builder cacheDirectory(Path directory) {
      this.cacheDirectory = requireNonNull(directory, "directory");
      return this;
    }

    /**
     * Runs does-not-exist timers and reconnection delays (tests inject a fake); the client's own
     * thread by default.
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * How long a resource may go unsent before it is taken not to exist; 15 s by default (gRFC
     * A27).
     */
    public Builder resourceTimeout(Duration timeout) {
      this.resourceTimeout = requireNonNull(timeout, "timeout");
      return this;
    }

    /** Reconnection backoff bounds; 1 s to 30 s by default, growing by 1.6 with ±20% jitter. */
    public Builder reconnectBackoff(Duration initial, Duration max) {
      if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
        throw new IllegalArgumentException(
            "backoff needs 0 < initial <= max, was " + initial + ", " + max);
      }
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    /** Records {@code weft.xds.updates{type,result}} and {@code weft.xds.connected}. Optional. */
    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Uses incremental (delta) ADS: the server sends only changed and removed resources, and a
     * reconnecting client names the versions it holds. State of the world by default.
     */
    public Builder deltaXds(boolean delta) {
      this.delta = delta;
      return this;
    }

    /**
     * Also reads the server Listener for {@code listeningAddress}, the address the servers of this
     * process listen on ({@code 0.0.0.0:9080}, {@code [::]:9080}): the bootstrap's {@code
     * server_listener_resource_name_template} applied to it (Istio's is {@code
     * xds.istio.io/grpc/lds/inbound/%s}). Its RBAC HTTP filters become the configuration's
     * {@linkplain MeshConfig#authorizationPolicies() authorization policies}, for every service of
     * the process; a listener the server says does not exist means no policies. The configuration
     * waits for this listener as for any other resource. One address: Weft enforces one set of
     * policies per process.
     */
    public Builder serverListener(String listeningAddress) {
      requireNonNull(listeningAddress, "listeningAddress");
      if (listeningAddress.isBlank()) {
        throw new IllegalArgumentException("the server listening address must not be blank");
      }
      this.serverListener = listeningAddress;
      return this;
    }

    /**
     * What the mesh does until the first configuration: {@link StartupMode#WAIT} (calls wait for
     * it), {@link StartupMode#FAIL_FAST} (the mesh's build fails without one within its startup
     * wait) or {@link StartupMode#SERVE_CACHED} (start from the {@linkplain #cacheDirectory cached
     * copy}; needs one). Default: serve-cached with a cache directory, wait without. In wait and
     * fail-fast a cache directory is still written, for a later start in serve-cached, but not
     * read.
     */
    public Builder startupMode(StartupMode mode) {
      this.startupMode = requireNonNull(mode, "mode");
      return this;
    }

    public XdsConfigSource build() {
      if (startupMode == StartupMode.SERVE_CACHED && cacheDirectory == null) {
        throw new IllegalArgumentException(
            "startup mode serve-cached needs a cacheDirectory to serve from");
      }
      if (targets.isEmpty() && serverListener == null) {
        throw new IllegalArgumentException(
            "an xDS config source needs at least one target (xds:///name or a listener name) or a server listener");
      }
      if (serverListener != null && bootstrap.serverListenerResourceNameTemplate().isEmpty()) {
        throw new IllegalArgumentException(
            "serverListener(\""
                + serverListener
                + "\") needs the bootstrap's "
                + "server_listener_resource_name_template (Istio's is xds.istio.io/grpc/lds/inbound/%s), and it has none");
      }
      return new XdsConfigSource(this);
    }
  }
}
