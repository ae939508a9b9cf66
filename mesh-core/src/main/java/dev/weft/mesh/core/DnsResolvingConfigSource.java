package dev.weft.mesh.core;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.runtime.Ticker;
import dev.weft.mesh.api.spi.ConfigListener;
import dev.weft.mesh.api.spi.ConfigSource;
import dev.weft.mesh.api.spi.StartupMode;
import dev.weft.mesh.core.spi.ConnectFailureListener;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DNS discovery over any source (the YAML file, xDS): an endpoint whose host is a name rather than
 * an IP address becomes one endpoint per A/AAAA record of that name, each with the name's weight,
 * locality, priority, health and labels (a headless Service's pods are balanced one by one, without
 * access to the Kubernetes API). Names are resolved again every {@link Builder#refreshInterval
 * refresh interval}, when {@link #refreshNow()} is asked, and early when an attempt cannot connect
 * to one of a name's addresses: that name alone is resolved again, at most once per {@link
 * Builder#earlyRefreshMinInterval minimum interval} (a mesh built over this source tells it of
 * connect failures, as a {@link ConnectFailureListener}). When a resolution fails, the last good
 * answer stays in force and {@link #status()} says so. A name that has never resolved stays as
 * written, so that the protocol adapter resolves it itself.
 *
 * <p>Threading: resolution blocks, so it runs on a thread of its own, never on the mesh's
 * scheduler; the delegate's configurations and the refreshes are delivered serially from that
 * thread.
 */
public final class DnsResolvingConfigSource implements ConfigSource, ConnectFailureListener {
  private static final Logger log = LoggerFactory.getLogger(DnsResolvingConfigSource.class);

  /** Resolves a host name to its addresses; {@link InetAddress#getAllByName} by default. */
  @FunctionalInterface
  public interface HostResolver {
    /**
     * All addresses of {@code host}.
     *
     * @throws UnknownHostException when the name does not resolve (now)
     */
    List<InetAddress> resolve(String host) throws UnknownHostException;
  }

  private final ConfigSource delegate;
  private final HostResolver resolver;
  private final Duration refreshInterval;
  private final long earlyRefreshMinNanos;
  private final Ticker ticker;

  /** Per cluster, per address in force that came from a name, that name. Replaced whole. */
  private volatile Map<String, Map<String, String>> namesByAddress = Map.of();

  /** Per name, when it was last looked up (the ticker's nanoseconds). */
  private final Map<String, Long> lookedUpAt = new ConcurrentHashMap<>();

  /** Names whose early resolution is queued. */
  private final Set<String> earlyPending = ConcurrentHashMap.newKeySet();

  private final ScheduledExecutorService executor;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Map<String, List<String>> lastGood = new ConcurrentHashMap<>();
  private final Map<String, String> failures = new ConcurrentHashMap<>();
  private volatile ConfigListener listener;
  private volatile MeshConfig latest;
  private volatile MeshConfig delivered;

  private DnsResolvingConfigSource(Builder b) {
    this.delegate = b.delegate;
    this.resolver = b.resolver;
    this.refreshInterval = b.refreshInterval;
    this.earlyRefreshMinNanos = b.earlyRefreshMinInterval.toNanos();
    this.ticker = b.ticker;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "weft-dns");
              t.setDaemon(true);
              return t;
            });
  }

  /** DNS discovery over {@code delegate}, which is started and closed with it. */
  public static Builder builder(ConfigSource delegate) {
    return new Builder(requireNonNull(delegate, "delegate"));
  }

  @Override
  public void start(ConfigListener configListener) {
    this.listener = requireNonNull(configListener, "listener");
    delegate.start(
        new ConfigListener() {
          @Override
          public void onConfig(MeshConfig config) {
            latest = config;
            // The first configuration is resolved on the delegate's thread, so that a local source
            // still delivers it before start returns.
            if (delivered == null) {
              deliverNowOrThrow();
            } else {
              executor.execute(() -> deliver(null));
            }
          }

          @Override
          public void onError(Throwable error) {
            listener.onError(error);
          }
        });
    long period = refreshInterval.toNanos();
    executor.scheduleWithFixedDelay(() -> deliver(null), period, period, TimeUnit.NANOSECONDS);
  }

  private synchronized void deliverNowOrThrow() {
    MeshConfig config = latest;
    MeshConfig resolved = resolve(config, null);
    listener.onConfig(resolved);
    delivered = resolved;
  }

  /** Resolves every name again now (on the source's thread), for example after connect failures. */
  public void refreshNow() {
    if (!closed.get()) {
      executor.execute(() -> deliver(null));
    }
  }

  /**
   * An attempt could not connect to {@code endpoint}: when its address came from a name that was
   * not looked up within the early-refresh minimum interval, that name is resolved again now (on
   * the source's thread). Quick and non-blocking, as the call path needs.
   */
  @Override
  public void connectFailed(String cluster, Endpoint endpoint) {
    Map<String, String> names = namesByAddress.get(cluster);
    String name = names == null ? null : names.get(endpoint.host());
    if (name == null || closed.get()) {
      return;
    }
    Long last = lookedUpAt.get(name);
    if (last != null && ticker.nanoTime() - last < earlyRefreshMinNanos) {
      return;
    }
    if (earlyPending.add(name)) {
      log.debug(
          "DNS discovery: cannot connect to {} of {}; resolving {} again", endpoint, cluster, name);
      executor.execute(
          () -> {
            earlyPending.remove(name);
            deliver(name);
          });
    }
  }

  /** Resolves and delivers; {@code only} names the one name to look up again, null for all. */
  private synchronized void deliver(String only) {
    MeshConfig config = latest;
    if (config == null || closed.get()) {
      return;
    }
    try {
      MeshConfig resolved = resolve(config, only);
      if (resolved.equals(delivered)) {
        return;
      }
      listener.onConfig(resolved);
      delivered = resolved;
    } catch (InvalidConfigException e) {
      listener.onError(e);
    } catch (RuntimeException e) {
      log.warn("DNS discovery could not deliver a configuration", e);
      listener.onError(e);
    }
  }

  private MeshConfig resolve(MeshConfig config, String only) {
    boolean changed = false;
    Map<String, Map<String, String>> byAddress = new HashMap<>();
    List<Cluster> clusters = new ArrayList<>(config.clusters().size());
    Set<String> names = new LinkedHashSet<>();
    for (Cluster c : config.clusters()) {
      List<Endpoint> endpoints = new ArrayList<>();
      boolean clusterChanged = false;
      Set<String> seen = new LinkedHashSet<>();
      for (Endpoint e : c.endpoints()) {
        if (isLiteral(e.host())) {
          if (seen.add(e.address())) {
            endpoints.add(e);
          }
          continue;
        }
        names.add(e.host());
        List<String> addresses =
            only == null || only.equals(e.host()) || !lastGood.containsKey(e.host())
                ? addresses(e.host())
                : lastGood.get(e.host());
        if (addresses == null) {
          if (seen.add(e.address())) {
            endpoints.add(e);
          }
          continue;
        }
        clusterChanged = true;
        Map<String, String> fromName = byAddress.computeIfAbsent(c.name(), k -> new HashMap<>());
        for (String a : addresses) {
          fromName.put(a, e.host());
          Endpoint resolved =
              Endpoint.builder(a, e.port())
                  .weight(e.weight())
                  .locality(e.locality())
                  .priority(e.priority())
                  .health(e.health())
                  .labels(e.labels())
                  .build();
          if (seen.add(resolved.address())) {
            endpoints.add(resolved);
          }
        }
      }
      clusters.add(clusterChanged ? c.toBuilder().endpoints(endpoints).build() : c);
      changed |= clusterChanged;
    }
    lastGood.keySet().retainAll(names);
    failures.keySet().retainAll(names);
    lookedUpAt.keySet().retainAll(names);
    namesByAddress = byAddress;
    if (!changed) {
      return config;
    }
    return new MeshConfig(
        config.version(),
        config.services(),
        clusters,
        config.authorizationPolicies(),
        config.pathNormalization());
  }

  /** The addresses of {@code host}, the last good ones when it fails now, null when never known. */
  private List<String> addresses(String host) {
    lookedUpAt.put(host, ticker.nanoTime());
    try {
      List<InetAddress> found = resolver.resolve(host);
      if (found == null || found.isEmpty()) {
        throw new UnknownHostException(host + " has no A or AAAA records");
      }
      List<String> out =
          found.stream().map(InetAddress::getHostAddress).distinct().sorted().toList();
      lastGood.put(host, out);
      failures.remove(host);
      return out;
    } catch (UnknownHostException | RuntimeException e) {
      List<String> kept = lastGood.get(host);
      if (failures.put(host, String.valueOf(e.getMessage())) == null) {
        log.warn(
            "DNS discovery: {} did not resolve ({}); {}",
            host,
            e.getMessage(),
            kept == null ? "it stays as written" : "keeping its last addresses " + kept);
      }
      return kept;
    }
  }

  private static boolean isLiteral(String host) {
    if (host.indexOf(':') >= 0) {
      return true; // IPv6
    }
    for (int i = 0; i < host.length(); i++) {
      char ch = host.charAt(i);
      if (!(ch == '.' || (ch >= '0' && ch <= '9'))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String description() {
    return "dns(" + delegate.description() + ")";
  }

  /**
   * Per name its addresses in force, the names whose last resolution failed, and the delegate's.
   */
  @Override
  public Map<String, Object> status() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("refreshInterval", refreshInterval.toString());
    s.put("earlyRefreshMinInterval", Duration.ofNanos(earlyRefreshMinNanos).toString());
    s.put("resolved", Map.copyOf(lastGood));
    s.put("failing", Map.copyOf(failures));
    s.put("delegate", delegate.status());
    return s;
  }

  @Override
  public String awaiting() {
    return delegate.awaiting();
  }

  @Override
  public StartupMode startupMode() {
    return delegate.startupMode();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      executor.shutdownNow();
      delegate.close();
    }
  }

  /** Builds a {@link DnsResolvingConfigSource}. */
  public static final class Builder {
    private final ConfigSource delegate;
    private HostResolver resolver = host -> List.of(InetAddress.getAllByName(host));
    private Duration refreshInterval = Duration.ofSeconds(30);
    private Duration earlyRefreshMinInterval = Duration.ofSeconds(5);
    private Ticker ticker = Ticker.system();

    private Builder(ConfigSource delegate) {
      this.delegate = delegate;
    }

    /** How names are resolved; the JVM's resolver by default. */
    public Builder resolver(HostResolver resolver) {
      this.resolver = requireNonNull(resolver, "resolver");
      return this;
    }

    /** How often names are resolved again; 30 s by default. */
    public Builder refreshInterval(Duration refreshInterval) {
      requireNonNull(refreshInterval, "refreshInterval");
      if (refreshInterval.isNegative() || refreshInterval.isZero()) {
        throw new IllegalArgumentException(
            "refreshInterval must be positive, was " + refreshInterval);
      }
      this.refreshInterval = refreshInterval;
      return this;
    }

    /**
     * The least time between two lookups of one name when connect failures ask for it early; 5 s by
     * default. Zero resolves again on every connect failure (at most one lookup queued per name).
     */
    public Builder earlyRefreshMinInterval(Duration earlyRefreshMinInterval) {
      requireNonNull(earlyRefreshMinInterval, "earlyRefreshMinInterval");
      if (earlyRefreshMinInterval.isNegative()) {
        throw new IllegalArgumentException(
            "earlyRefreshMinInterval must not be negative, was " + earlyRefreshMinInterval);
      }
      this.earlyRefreshMinInterval = earlyRefreshMinInterval;
      return this;
    }

    /** The time that spaces early lookups; the system's by default. */
    public Builder ticker(Ticker ticker) {
      this.ticker = requireNonNull(ticker, "ticker");
      return this;
    }

    public DnsResolvingConfigSource build() {
      return new DnsResolvingConfigSource(this);
    }
  }
}
