package dev.weft.mesh.core;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.api.UnknownServiceException;
import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.runtime.Nanos;
import dev.weft.mesh.api.runtime.RandomSource;
import dev.weft.mesh.api.runtime.Randoms;
import dev.weft.mesh.api.runtime.Scheduler;
import dev.weft.mesh.api.runtime.Ticker;
import dev.weft.mesh.api.spi.ConfigListener;
import dev.weft.mesh.api.spi.ConfigSource;
import dev.weft.mesh.api.spi.StartupMode;
import dev.weft.mesh.core.spi.AttemptAdapter;
import dev.weft.mesh.core.spi.CallGuard;
import dev.weft.mesh.core.spi.CallGuardFactory;
import dev.weft.mesh.core.spi.CallHandle;
import dev.weft.mesh.core.spi.CallListener;
import dev.weft.mesh.core.spi.CallObserver;
import dev.weft.mesh.core.spi.CallRequest;
import dev.weft.mesh.core.spi.ConnectFailureListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service mesh inside this process: it takes configuration from a {@link ConfigSource}, routes
 * calls, balances them over endpoints, and runs each call's attempts with retries, hedging,
 * timeouts, budgets and limits. Protocol modules ({@code mesh-grpc}, {@code mesh-http}) drive it
 * through {@link #call}.
 *
 * <pre>{@code
 * Mesh mesh = Mesh.builder()
 *     .configSource(FileConfigSource.builder(Path.of("mesh.yaml")).build())
 *     .meterRegistry(registry)
 *     .openTelemetry(openTelemetry)
 *     .build();
 * }</pre>
 *
 * <p>Configuration updates are compiled off the call path and swapped in with one volatile write: a
 * call uses the snapshot it started with to its end. An update the mesh rejects leaves the
 * configuration in force untouched. Thread-safe.
 */
public final class Mesh implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Mesh.class);
  private static final long HOUSEKEEPING_PERIOD_NANOS = Duration.ofSeconds(1).toNanos();

  private final String name;
  private final ConfigSource source;
  private final Engine engine;
  private final SnapshotCompiler compiler;
  private final OpenTelemetry openTelemetry;
  private final DaemonScheduler ownedScheduler;
  private final List<Consumer<MeshConfig>> configListeners = new CopyOnWriteArrayList<>();
  private final StartupMode startupMode;
  private final long startupWaitNanos;

  /** The calls waiting for the first configuration; null in {@link StartupMode#FAIL_FAST}. */
  private final StartupWaiters waiters;

  private final CountDownLatch firstConfig = new CountDownLatch(1);
  private volatile MeshSnapshot snapshot;
  private volatile Throwable lastError;
  private volatile long lastErrorAtMillis;
  private Scheduler.Cancellable housekeeping;

  /** The latest configuration updates, oldest first; guarded by itself. */
  private final ArrayDeque<ConfigUpdate> updates = new ArrayDeque<>();

  /** How many configuration updates {@link #recentConfigUpdates()} remembers. */
  public static final int RECENT_CONFIG_UPDATES = 32;

  private Mesh(Builder b) {
    this.name = b.name;
    this.source = b.configSource;
    this.ownedScheduler = b.scheduler == null ? new DaemonScheduler("weft-mesh-" + b.name) : null;
    Scheduler scheduler = b.scheduler != null ? b.scheduler : ownedScheduler;
    this.openTelemetry = b.openTelemetry == null ? OpenTelemetry.noop() : b.openTelemetry;
    Telemetry telemetry = new Telemetry(b.meterRegistry, b.openTelemetry);
    this.engine =
        new Engine(
            b.ticker, b.random, scheduler, b.loadBalancers, b.ewmaDecay.toNanos(), telemetry);
    this.compiler = new SnapshotCompiler(engine, b.callGuards);
    this.startupMode = startupModeOf(b.configSource);
    this.startupWaitNanos = Nanos.of(b.startupWait);
    this.waiters =
        startupMode == StartupMode.FAIL_FAST
            ? null
            : new StartupWaiters(engine, startupWaitNanos, this::startNow, this::waitedInVain);
  }

  private static StartupMode startupModeOf(ConfigSource source) {
    StartupMode m = source.startupMode();
    return m == null ? StartupMode.WAIT : m;
  }

  /** A builder; a config source is required. */
  public static Builder builder() {
    return new Builder();
  }

  private void start() {
    housekeeping =
        engine.scheduler.scheduleAtFixedRate(
            () -> engine.housekeep(snapshot), HOUSEKEEPING_PERIOD_NANOS);
    source.start(
        new ConfigListener() {
          @Override
          public void onConfig(MeshConfig config) {
            apply(config);
          }

          @Override
          public void onError(Throwable error) {
            recordError(error);
          }
        });
  }

  /** In {@link StartupMode#FAIL_FAST}: waits for the first configuration, or throws. */
  private void failFast() {
    boolean ready;
    try {
      ready = awaitReady(Duration.ofNanos(startupWaitNanos));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MeshException(
          MeshException.Reason.NOT_READY,
          "the mesh '" + name + "' was interrupted while it waited for its first configuration",
          e);
    }
    if (!ready) {
      throw new MeshException(
          MeshException.Reason.NOT_READY,
          "the mesh '"
              + name
              + "' (startup mode fail-fast) has no configuration after "
              + StartupWaiters.describe(startupWaitNanos)
              + "; "
              + sourceAwaiting());
    }
  }

  // ---- configuration ----

  /** Compiles and swaps in a configuration, or throws and keeps the one in force. */
  private void apply(MeshConfig config) {
    requireNonNull(config, "config");
    if (engine.closed.get()) {
      return;
    }
    synchronized (engine.controlLock) {
      try {
        MeshSnapshot compiled = compiler.compile(config);
        boolean first = snapshot == null;
        snapshot = compiled;
        lastError = null;
        if (first) {
          firstConfig.countDown();
          if (waiters != null) {
            waiters.open();
          }
        }
        for (Consumer<MeshConfig> l : configListeners) {
          try {
            l.accept(config);
          } catch (RuntimeException e) {
            log.warn("a configuration listener failed; the configuration stays applied", e);
          }
        }
        engine.telemetry.configUpdate(true);
        remember(
            new ConfigUpdate(
                Instant.ofEpochMilli(compiled.appliedAtMillis),
                config.version(),
                true,
                compiled.serviceNames.size()
                    + " services, "
                    + compiled.clusters.size()
                    + " clusters"));
        log.info(
            "mesh '{}' applied configuration version {} ({} services, {} clusters)",
            name,
            config.version(),
            compiled.serviceNames.size(),
            compiled.clusters.size());
      } catch (InvalidConfigException e) {
        engine.telemetry.configUpdate(false);
        recordError(e, config.version());
        throw e;
      }
    }
  }

  private void recordError(Throwable error) {
    recordError(error, "");
  }

  private void recordError(Throwable error, String version) {
    lastError = error;
    lastErrorAtMillis = engine.ticker.currentTimeMillis();
    remember(
        new ConfigUpdate(
            Instant.ofEpochMilli(lastErrorAtMillis),
            version == null ? "" : version,
            false,
            String.valueOf(error.getMessage())));
    MeshSnapshot current = snapshot;
    log.warn(
        "mesh '{}' rejected a configuration update from {}; {} stays in force: {}",
        name,
        source.description(),
        current == null ? "no configuration" : "version " + current.version(),
        error.getMessage());
  }

  // ---- calls ----

  /**
   * Routes a call and runs its attempts through {@code adapter}; the outcome reaches {@code
   * listener} exactly once. Never blocks; returns at once.
   *
   * <p>A call to a service the configuration does not know fails at once with an {@link
   * UnknownServiceException} that lists the known services.
   *
   * <p>Before the first configuration (unless the source's {@link StartupMode} is {@code
   * fail-fast}) the call waits for it without holding the caller's thread: it starts when the
   * configuration arrives, in the order calls were made, with the wait counted against its
   * deadline; or it fails with {@code NOT_READY}, saying what the config source is waiting for, at
   * its deadline ({@link CallRequest#timeoutNanos()}) or, without one, after the {@linkplain
   * Builder#startupWait startup wait}. The returned handle cancels it while it waits; closing the
   * mesh fails it. In {@code fail-fast} such a call fails at once with {@code NOT_READY}.
   */
  public <R> CallHandle call(
      CallRequest request, AttemptAdapter<R> adapter, CallListener<R> listener) {
    MeshSnapshot s = snapshot;
    if (s == null && waiters != null) {
      return waiters.await(request, adapter, listener);
    }
    return start(s, request, adapter, listener, engine.ticker.nanoTime());
  }

  /** Starts a call that waited for the first configuration, on the configuration now in force. */
  private <R> CallHandle startNow(
      CallRequest request, AttemptAdapter<R> adapter, CallListener<R> listener, long startNanos) {
    return start(snapshot, request, adapter, listener, startNanos);
  }

  private <R> CallHandle start(
      MeshSnapshot s,
      CallRequest request,
      AttemptAdapter<R> adapter,
      CallListener<R> listener,
      long startNanos) {
    CompiledRoute route;
    try {
      route = resolve(s, request, true);
    } catch (MeshException e) {
      listener.onFailure(e);
      return NOOP_HANDLE;
    }
    RouteTarget target = route.targets.pick(engine.random);
    CallExecution<R> call =
        new CallExecution<>(engine, request, adapter, listener, route, target, startNanos);
    call.start();
    return call;
  }

  private static final CallHandle NOOP_HANDLE = () -> {};

  /**
   * Routes a call and picks its endpoint exactly as {@link #call} would, without making it: for
   * tests of routing configurations and for tools. Each decision is a fresh draw from the route's
   * weights and the balancer.
   *
   * @throws MeshException as {@link #call} would fail (unknown service, no route, no endpoint)
   */
  public RouteDecision decide(CallRequest request) {
    CompiledRoute route = resolve(snapshot, request, false);
    RouteTarget target = route.targets.pick(engine.random);
    EndpointState picked = target.balanced.pick(RequestHash.NONE);
    if (picked == null) {
      throw target.balanced.noEndpoint(target.cluster.name());
    }
    return new RouteDecision(
        request.service(), route.name(), target.cluster.name(), target.subset, picked.endpoint());
  }

  /**
   * The resolution step {@link #call} and {@link #decide} share: the snapshot in force, the
   * service's router, and the route that matches; the caller then draws the route's destination.
   *
   * @param refuseClosed whether a closed mesh refuses (calls) or still answers (decisions)
   * @throws MeshException the failure of a call that cannot be routed: not ready, unknown service,
   *     no route
   */
  private CompiledRoute resolve(MeshSnapshot s, CallRequest request, boolean refuseClosed) {
    boolean closed = refuseClosed && engine.closed.get();
    if (s == null || closed) {
      throw new MeshException(
          MeshException.Reason.NOT_READY,
          closed
              ? "the mesh '" + name + "' is closed"
              : "the mesh '" + name + "' has no configuration yet; " + sourceAwaiting());
    }
    ServiceRouter router = s.routers.get(request.service());
    if (router == null) {
      throw new UnknownServiceException(request.service(), s.serviceNames);
    }
    CompiledRoute route = router.route(request);
    if (route == null) {
      throw new MeshException(
          MeshException.Reason.NO_ROUTE,
          "no route of service '"
              + request.service()
              + "' matches "
              + request.method()
              + " "
              + request.path());
    }
    return route;
  }

  /** The failure message of a call whose wait for the first configuration ran out. */
  private String waitedInVain(long waitedNanos) {
    return "the mesh '"
        + name
        + "' still has no configuration after the call waited "
        + StartupWaiters.describe(waitedNanos)
        + " for it; "
        + sourceAwaiting();
  }

  private String sourceAwaiting() {
    String a;
    try {
      a = source.awaiting();
    } catch (RuntimeException e) {
      a = null;
      log.warn("the config source {} could not say what it awaits", source.description(), e);
    }
    return "the config source is waiting for "
        + (a == null || a.isBlank() ? "its first configuration (" + source.description() + ")" : a);
  }

  // ---- introspection ----

  /** The name given to this mesh (for logs and thread names). */
  public String name() {
    return name;
  }

  /** Whether a configuration is in force; see {@link #awaitReady} to wait for one. */
  public boolean ready() {
    return snapshot != null;
  }

  /**
   * Blocks until a configuration is in force, for at most {@code timeout}: for code that must not
   * go on without one (a start-up hook, a readiness check, a test). Calls need not use it: in the
   * default {@link StartupMode#WAIT} they wait for the first configuration by themselves, without
   * blocking.
   *
   * @return whether a configuration is in force; false when {@code timeout} passed first or the
   *     mesh was closed before it had one
   * @throws InterruptedException if the thread is interrupted while it waits (its interrupt status
   *     is cleared, as usual)
   */
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    requireNonNull(timeout, "timeout");
    if (snapshot == null) {
      firstConfig.await(Nanos.of(timeout), TimeUnit.NANOSECONDS);
    }
    return snapshot != null;
  }

  /** What the mesh does until the first configuration, as its config source says. */
  public StartupMode startupMode() {
    return startupMode;
  }

  /** How long a call without a deadline waits for the first configuration. */
  public Duration startupWait() {
    return Duration.ofNanos(startupWaitNanos);
  }

  /** The version of the configuration in force, or empty before the first one. */
  public String configVersion() {
    MeshSnapshot s = snapshot;
    return s == null ? "" : s.version();
  }

  /** The configuration in force, or {@link MeshConfig#EMPTY} before the first one. */
  public MeshConfig config() {
    MeshSnapshot s = snapshot;
    return s == null ? MeshConfig.EMPTY : s.config;
  }

  /** The mesh's clock (protocol modules measure with it). */
  public Ticker ticker() {
    return engine.ticker;
  }

  /**
   * The OpenTelemetry instance the mesh traces with ({@link OpenTelemetry#noop()} when none was
   * given); protocol modules propagate context with its propagators.
   */
  public OpenTelemetry openTelemetry() {
    return openTelemetry;
  }

  /**
   * The canary guards of the routes in force, read-only: each guard's destinations, weights in
   * force, state, last figures and history (see {@code docs/canary.md}).
   */
  public CanaryGuards canaryGuards() {
    return compiler.canaries;
  }

  /** The config source's description. */
  public String configSourceDescription() {
    return source.description();
  }

  /** The last configuration error, or null if the last update was accepted. */
  public Throwable lastConfigError() {
    return lastError;
  }

  private void remember(ConfigUpdate update) {
    synchronized (updates) {
      if (updates.size() == RECENT_CONFIG_UPDATES) {
        updates.removeFirst();
      }
      updates.addLast(update);
    }
  }

  /**
   * The latest configuration updates the mesh applied or refused (at most {@value
   * #RECENT_CONFIG_UPDATES}), oldest first: what a console shows as the configuration's history,
   * refusals with their reasons. A refusal the source reported itself (a file that does not parse)
   * is here too.
   */
  public List<ConfigUpdate> recentConfigUpdates() {
    synchronized (updates) {
      return List.copyOf(updates);
    }
  }

  /**
   * Registers an observer of every call and attempt this mesh ends (see {@link CallObserver} for
   * its threading contract). It sees calls that end after it is registered. Without observers the
   * call path pays one volatile read per call end.
   */
  public void addCallObserver(CallObserver observer) {
    engine.addObserver(requireNonNull(observer, "observer"));
  }

  /** Unregisters an observer added with {@link #addCallObserver}; unknown ones are ignored. */
  public void removeCallObserver(CallObserver observer) {
    engine.removeObserver(requireNonNull(observer, "observer"));
  }

  /**
   * Registers a listener told of every attempt that could not connect (see {@link
   * ConnectFailureListener} for its threading contract). A configuration source that implements
   * {@link ConnectFailureListener} (such as {@link DnsResolvingConfigSource}) is registered when
   * the mesh is built.
   */
  public void addConnectFailureListener(ConnectFailureListener listener) {
    engine.addConnectFailureListener(requireNonNull(listener, "listener"));
  }

  /**
   * Unregisters a listener added with {@link #addConnectFailureListener}; unknown ones are ignored.
   */
  public void removeConnectFailureListener(ConnectFailureListener listener) {
    engine.removeConnectFailureListener(requireNonNull(listener, "listener"));
  }

  /**
   * Registers a listener told when endpoints leave the configuration (so that protocol modules
   * close their connections). Called on the control path; must be quick.
   */
  public void addEndpointRemovalListener(Consumer<List<EndpointRemoval>> listener) {
    engine.removalListeners.add(requireNonNull(listener, "listener"));
  }

  /**
   * Registers a listener told of every configuration the mesh applies (server-side parts such as
   * authorization follow the configuration this way). If a configuration is in force it is told at
   * once. Called on the control path, serially; must be quick and must not call back into the
   * mesh's configuration.
   */
  public void addConfigListener(Consumer<MeshConfig> listener) {
    requireNonNull(listener, "listener");
    synchronized (engine.controlLock) {
      configListeners.add(listener);
      MeshSnapshot s = snapshot;
      if (s != null) {
        listener.accept(s.config);
      }
    }
  }

  /** Unregisters a listener added with {@link #addConfigListener}. */
  public void removeConfigListener(Consumer<MeshConfig> listener) {
    configListeners.remove(listener);
  }

  /**
   * Unregisters a listener added with {@link #addEndpointRemovalListener}; unknown ones are
   * ignored.
   */
  public void removeEndpointRemovalListener(Consumer<List<EndpointRemoval>> listener) {
    engine.removalListeners.remove(listener);
  }

  /** An endpoint that left a cluster. */
  public record EndpointRemoval(String cluster, dev.weft.mesh.api.config.Endpoint endpoint) {}

  /**
   * Everything in force as JSON: version, source, services with their routes, clusters with
   * endpoints, weights, health, ejections and load, and the last error.
   */
  public String configDump() {
    return Json.write(describe());
  }

  /**
   * What {@link #configDump()} renders, as plain data (maps, lists, strings, numbers, booleans),
   * for tools that render it themselves such as the Spring Boot actuator endpoint.
   */
  public Map<String, Object> describe() {
    return ConfigDump.of(this, snapshot);
  }

  Map<String, Object> status() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mesh", name);
    m.put("source", source.description());
    java.util.Map<String, Object> sourceStatus = sourceStatus();
    if (!sourceStatus.isEmpty()) {
      m.put("sourceStatus", sourceStatus);
    }
    MeshSnapshot s = snapshot;
    m.put("version", s == null ? null : s.version());
    m.put("appliedAt", s == null ? null : Instant.ofEpochMilli(s.appliedAtMillis).toString());
    m.put("startupMode", startupMode.configName());
    if (s == null) {
      m.put("awaiting", sourceAwaiting());
      m.put("waitingCalls", waiters == null ? 0 : waiters.waiting());
    }
    Throwable e = lastError;
    m.put("lastError", e == null ? null : e.getMessage());
    m.put("lastErrorAt", e == null ? null : Instant.ofEpochMilli(lastErrorAtMillis).toString());
    return m;
  }

  private java.util.Map<String, Object> sourceStatus() {
    try {
      java.util.Map<String, Object> s = source.status();
      return s == null ? java.util.Map.of() : s;
    } catch (RuntimeException e) {
      return java.util.Map.of("error", "the config source could not report its status: " + e);
    }
  }

  /**
   * Stops the config source and the mesh's threads. Calls in flight finish; new calls fail, and so
   * do calls still waiting for the first configuration ({@code NOT_READY}, saying the mesh closed).
   * Idempotent.
   */
  @Override
  public void close() {
    if (!engine.closed.compareAndSet(false, true)) {
      return;
    }
    try {
      if (waiters != null) {
        waiters.close(
            "the mesh '" + name + "' was closed before it had a configuration for the call");
      }
      firstConfig.countDown();
      source.close();
    } finally {
      if (housekeeping != null) {
        housekeeping.cancel();
      }
      synchronized (engine.controlLock) {
        compiler.closeAll();
      }
      if (ownedScheduler != null) {
        ownedScheduler.close();
      }
    }
  }

  /** In seconds, the default {@linkplain Builder#startupWait startup wait}. */
  public static final int DEFAULT_STARTUP_WAIT_SECONDS = 10;

  /** The default {@linkplain Builder#startupWait startup wait}: 10 s. */
  public static final Duration DEFAULT_STARTUP_WAIT =
      Duration.ofSeconds(DEFAULT_STARTUP_WAIT_SECONDS);

  /** Builds a {@link Mesh}. */
  public static final class Builder {
    private String name = "default";
    private ConfigSource configSource;
    private MeterRegistry meterRegistry;
    private OpenTelemetry openTelemetry;
    private Ticker ticker = Ticker.system();
    private Scheduler scheduler;
    private RandomSource random = Randoms.threadLocal();
    private LoadBalancerRegistry loadBalancers = LoadBalancerRegistry.getDefault();
    private Duration ewmaDecay = Duration.ofSeconds(10);
    private Duration startupWait = DEFAULT_STARTUP_WAIT;
    private CallGuardFactory callGuards;

    private Builder() {}

    /**
     * Resolves the Resilience4j instances that routes and clusters name ({@code resilience4j:} in
     * the YAML) into {@link CallGuard}s, when a configuration is applied; the {@code
     * mesh-resilience4j} module's {@code Resilience4jCallGuards} does so against the application's
     * registries. Without one, a configuration that names instances is rejected.
     */
    public Builder callGuards(CallGuardFactory callGuards) {
      this.callGuards = requireNonNull(callGuards, "callGuards");
      return this;
    }

    /**
     * How long a call without a deadline waits for the first configuration before it fails with
     * {@code NOT_READY}; a call with a deadline waits until its deadline instead. In {@link
     * StartupMode#FAIL_FAST}, how long {@link #build()} waits for the first configuration.
     *
     * <p>The default, {@value #DEFAULT_STARTUP_WAIT_SECONDS} s, covers a control plane's first
     * answer (normally well under a second) and a few reconnections with the xDS source's backoff
     * (1 s growing by 1.6), so that a process started together with its control plane does not fail
     * its first calls; and it is short enough that a call without a deadline made while the origin
     * is down fails while its caller still cares, instead of holding a request thread or a
     * connection for long. It is shorter than the 15 s after which xDS takes an unsent resource not
     * to exist (gRFC A27): a call fails rather than wait for that verdict. Zero makes such calls
     * fail at once with the waiting-for message.
     */
    public Builder startupWait(Duration startupWait) {
      requireNonNull(startupWait, "startupWait");
      if (startupWait.isNegative()) {
        throw new IllegalArgumentException("startupWait must not be negative, was " + startupWait);
      }
      this.startupWait = startupWait;
      return this;
    }

    /** A name for logs, thread names and the config dump; default {@code default}. */
    public Builder name(String name) {
      this.name = requireNonNull(name, "name");
      return this;
    }

    /** Where configuration comes from. Required. */
    public Builder configSource(ConfigSource configSource) {
      this.configSource = requireNonNull(configSource, "configSource");
      return this;
    }

    /** A fixed configuration; shorthand for a {@link StaticConfigSource}. */
    public Builder config(MeshConfig config) {
      return configSource(new StaticConfigSource(config));
    }

    /** Where meters go; without one the mesh records no metrics and pays nothing for them. */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = requireNonNull(meterRegistry, "meterRegistry");
      return this;
    }

    /** Where spans go and how context propagates; without one the mesh traces nothing. */
    public Builder openTelemetry(OpenTelemetry openTelemetry) {
      this.openTelemetry = requireNonNull(openTelemetry, "openTelemetry");
      return this;
    }

    /** The clock; tests pass a {@link dev.weft.mesh.testing.FakeTicker}. */
    public Builder ticker(Ticker ticker) {
      this.ticker = requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * The scheduler for delays and periodic work; tests pass a {@link
     * dev.weft.mesh.testing.FakeScheduler}. Default: one daemon thread owned by the mesh.
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** Randomness for splits, picks, sampling and jitter; tests pass a seeded one. */
    public Builder random(RandomSource random) {
      this.random = requireNonNull(random, "random");
      return this;
    }

    /** The load-balancing policies available; default: those found with ServiceLoader. */
    public Builder loadBalancers(LoadBalancerRegistry loadBalancers) {
      this.loadBalancers = requireNonNull(loadBalancers, "loadBalancers");
      return this;
    }

    /**
     * The decay time of the peak-EWMA latency estimate used by least-request balancing; default 10
     * s.
     */
    public Builder ewmaDecay(Duration ewmaDecay) {
      if (ewmaDecay.isNegative() || ewmaDecay.isZero()) {
        throw new IllegalArgumentException("ewmaDecay must be positive, was " + ewmaDecay);
      }
      this.ewmaDecay = ewmaDecay;
      return this;
    }

    /**
     * Builds the mesh and starts its config source. A source that reads its configuration at once
     * (a file) has it in force when this returns. A remote source (xDS) delivers later: in {@link
     * StartupMode#WAIT} and {@link StartupMode#SERVE_CACHED} this returns at once and calls wait
     * for the configuration; in {@link StartupMode#FAIL_FAST} this waits for it up to the
     * {@linkplain #startupWait startup wait} and fails if it does not come.
     *
     * @throws InvalidConfigException if the initial configuration is invalid (nothing is left
     *     running)
     * @throws MeshException with {@code NOT_READY} in {@link StartupMode#FAIL_FAST} when no
     *     configuration arrived within the startup wait, saying what the source waits for (nothing
     *     is left running)
     */
    public Mesh build() {
      if (configSource == null) {
        throw new IllegalStateException("a Mesh needs a configSource (or config)");
      }
      Mesh mesh = new Mesh(this);
      if (configSource instanceof ConnectFailureListener l) {
        mesh.addConnectFailureListener(l);
      }
      try {
        mesh.start();
        if (mesh.startupMode == StartupMode.FAIL_FAST) {
          mesh.failFast();
        }
      } catch (RuntimeException e) {
        mesh.close();
        throw e;
      }
      return mesh;
    }
  }
}
