package dev.weft.mesh.xds.internal.client;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Any;
import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.weft.mesh.api.runtime.Scheduler;
import dev.weft.mesh.xds.bootstrap.Bootstrap;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ChannelCredentials;
import io.grpc.ConnectivityState;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ADS client for the Envoy v3 API (gRFC A27), state of the world or, with
 * {@link Builder#delta(boolean)}, incremental: one stream to the management
 * server, subscriptions per type, ACK and NACK with version, nonce and error_detail, does-not-exist
 * timers, reconnection with jittered exponential backoff and resubscription, fallback to the next
 * configured server when one cannot be reached, and an optional on-disk copy of what was accepted.
 *
 * <p>It knows type URLs, versions, nonces and subscriptions; what a resource means is left to the
 * {@link XdsResourceType}s that parse them. A response is accepted or rejected as a whole: if any
 * resource in it is invalid, or the {@link UpdateGate} refuses it, nothing of it is used and it is
 * NACKed with an error_detail that names every invalid resource.
 *
 * <p>Threading: all work runs serially on one thread the client owns; watchers, the gate and the
 * event listener are called there and must not block. Public methods may be called from any thread.
 */
public final class XdsClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(XdsClient.class);
  private static final int INVALID_ARGUMENT = 3;
  private static final Duration REPEATED_NACK_DELAY = Duration.ofSeconds(1);

  private final List<Bootstrap.ServerInfo> servers;
  private final Node node;
  private final ScheduledExecutorService work;
  private final Scheduler scheduler;
  private final Duration resourceTimeout;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Random random;
  private final UpdateGate gate;
  private final ResourceCache cache;
  private final Events events;
  private final Function<Bootstrap.ServerInfo, ManagedChannel> channelFactory;
  private final boolean delta;

  // Everything below is confined to the work thread.
  private final Map<String, TypeState<?>> types = new LinkedHashMap<>();
  private final Map<String, ResourceCache.Stored> seeds;
  private final Map<Integer, ManagedChannel> channels = new HashMap<>();
  private AdsStream stream;
  private int serverIndex;
  private int backoffAttempt;
  private Scheduler.Cancellable reconnectTask;
  private boolean started;
  private boolean closed;
  private String lastStreamError = "";
  private volatile XdsClientStatus status;

  private XdsClient(Builder b) {
    this.servers = List.copyOf(b.servers);
    this.node = toNode(b.node);
    this.work = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "weft-xds-client");
      t.setDaemon(true);
      return t;
    });
    this.scheduler = b.scheduler != null ? b.scheduler : new WorkScheduler(work);
    this.resourceTimeout = b.resourceTimeout;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.random = b.random;
    this.gate = b.gate;
    this.cache = b.cache;
    this.events = b.events;
    this.channelFactory = b.channelFactory != null ? b.channelFactory : XdsClient::defaultChannel;
    this.delta = b.delta;
    this.seeds = new HashMap<>(cache.load());
    this.status = new XdsClientStatus(servers.get(0).serverUri(), XdsClientStatus.ConnectionState.CONNECTING, "", List.of());
  }

  /** A builder for a client of the servers and with the node identity in {@code bootstrap}. */
  public static Builder builder(Bootstrap bootstrap) {
    return new Builder(bootstrap);
  }

  /** Opens the stream. Watches added before or after are sent on it. Idempotent. */
  public void start() {
    work.execute(() -> {
      if (!started && !closed) {
        started = true;
        connect();
      }
    });
  }

  /**
   * Subscribes {@code watcher} to the resource {@code name} of {@code type}. A value already in hand
   * (from the server or the on-disk cache) is delivered at once, on the work thread.
   */
  public <T> void watch(XdsResourceType<T> type, String name, ResourceWatcher<T> watcher) {
    requireNonNull(type, "type");
    requireNonNull(name, "name");
    requireNonNull(watcher, "watcher");
    runOnWork(() -> {
      if (closed) {
        return;
      }
      TypeState<T> ts = typeState(type);
      Sub<T> sub = ts.subs.get(name);
      boolean added = sub == null;
      if (added) {
        sub = new Sub<>(name);
        ts.subs.put(name, sub);
        T seeded = ts.seed.remove(name);
        if (seeded != null) {
          sub.value = seeded;
          sub.fromCache = true;
          ts.rawInForce.put(name, ts.seedRaw.remove(name));
        }
      }
      sub.watchers.add(watcher);
      if (sub.value != null) {
        watcher.onChanged(name, sub.value);
      } else if (sub.doesNotExist) {
        watcher.onDoesNotExist(name);
      }
      if (added) {
        requestSubscriptions(ts);
      }
      publishStatus();
    });
  }

  /** Removes {@code watcher}; the last watcher gone unsubscribes the resource. */
  public <T> void cancelWatch(XdsResourceType<T> type, String name, ResourceWatcher<T> watcher) {
    runOnWork(() -> {
      @SuppressWarnings("unchecked")
      TypeState<T> ts = (TypeState<T>) types.get(type.typeUrl());
      if (ts == null) {
        return;
      }
      Sub<T> sub = ts.subs.get(name);
      if (sub == null) {
        return;
      }
      sub.watchers.remove(watcher);
      if (sub.watchers.isEmpty()) {
        sub.cancelTimer();
        ts.subs.remove(name);
        ts.rawInForce.remove(name);
        ts.resourceVersions.remove(name);
        requestSubscriptions(ts);
        publishStatus();
      }
    });
  }

  /** The current status; cheap, callable from any thread. */
  public XdsClientStatus status() {
    return status;
  }

  /** Runs {@code task} on the client's work thread after the work queued before it. */
  public void execute(Runnable task) {
    work.execute(task);
  }

  /** Closes the stream and the channels and stops the work thread. Idempotent. */
  @Override
  public void close() {
    CountDownLatch done = new CountDownLatch(1);
    try {
      work.execute(() -> {
        try {
          shutdownOnWork();
        } finally {
          done.countDown();
        }
      });
      done.await(5, TimeUnit.SECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    work.shutdownNow();
    try {
      work.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void shutdownOnWork() {
    if (closed) {
      return;
    }
    closed = true;
    if (reconnectTask != null) {
      reconnectTask.cancel();
    }
    for (TypeState<?> ts : types.values()) {
      ts.subs.values().forEach(Sub::cancelTimer);
    }
    if (stream != null) {
      stream.cancel("client closed");
      stream = null;
    }
    for (ManagedChannel ch : channels.values()) {
      ch.shutdownNow();
    }
    for (ManagedChannel ch : channels.values()) {
      try {
        ch.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    channels.clear();
    publishStatus();
  }

  // ---- stream ----

  private void connect() {
    if (closed) {
      return;
    }
    reconnectTask = null;
    Bootstrap.ServerInfo server = servers.get(serverIndex);
    ManagedChannel channel = channels.get(serverIndex);
    if (channel == null) {
      channel = channelFactory.apply(server);
      channels.put(serverIndex, channel);
    } else {
      // This client's backoff decides when to retry; the channel's own must not add to it.
      channel.resetConnectBackoff();
    }
    AdsStream s = new AdsStream(server.serverUri());
    stream = s;
    log.debug("opening an {} ADS stream to {}", delta ? "incremental" : "state-of-the-world", server.serverUri());
    if (delta) {
      AggregatedDiscoveryServiceGrpc.newStub(channel).deltaAggregatedResources(s.deltaObserver());
    } else {
      AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(s.sotwObserver());
    }
    for (TypeState<?> ts : types.values()) {
      ts.sentSubscriptions.clear();
      if (!ts.subs.isEmpty()) {
        requestSubscriptions(ts);
      }
    }
    publishStatus();
  }

  private void onStreamReady(AdsStream s) {
    if (s != stream || s.ready) {
      return;
    }
    s.ready = true;
    events.onConnectionState(true, s.serverUri, "");
    publishStatus();
    if (serverIndex != 0) {
      watchPrimary();
    }
  }

  /**
   * gRFC A71: while on a fallback server, keep the channel to the primary connecting, and go back
   * to the primary once it is ready. The fallback stream stays until then.
   */
  private void watchPrimary() {
    ManagedChannel primary = channels.get(0);
    if (primary == null || closed || serverIndex == 0) {
      return;
    }
    ConnectivityState state = primary.getState(true);
    if (state == ConnectivityState.READY) {
      switchToPrimary();
    } else {
      primary.notifyWhenStateChanged(state, () -> runOnWork(this::watchPrimary));
    }
  }

  private void switchToPrimary() {
    if (closed || serverIndex == 0) {
      return;
    }
    log.info("the primary xDS server {} is reachable again; leaving the fallback {}", servers.get(0).serverUri(),
        servers.get(serverIndex).serverUri());
    AdsStream old = stream;
    stream = null;
    if (old != null) {
      old.cancel("switching back to the primary xDS server");
    }
    if (reconnectTask != null) {
      reconnectTask.cancel();
    }
    for (TypeState<?> ts : types.values()) {
      ts.nonce = "";
      ts.subs.values().forEach(Sub::cancelTimer);
    }
    serverIndex = 0;
    backoffAttempt = 0;
    connect();
  }

  private void onStreamClosed(AdsStream s, Status closeStatus) {
    if (s != stream || closed) {
      return;
    }
    stream = null;
    String reason = closeStatus.getCode() + (closeStatus.getDescription() == null ? "" : ": " + closeStatus.getDescription());
    lastStreamError = "ADS stream to " + s.serverUri + " closed: " + reason;
    log.info("{}; cached resources stay in force", lastStreamError);
    for (TypeState<?> ts : types.values()) {
      ts.nonce = "";
      for (Sub<?> sub : ts.subs.values()) {
        sub.cancelTimer();
      }
    }
    events.onConnectionState(false, s.serverUri, lastStreamError);
    for (TypeState<?> ts : types.values()) {
      notifyTransient(ts, lastStreamError);
    }
    long delayNanos;
    if (s.gotResponse) {
      backoffAttempt = 0;
      delayNanos = 0;
    } else {
      delayNanos = backoffNanos(backoffAttempt++);
      if (servers.size() > 1) {
        serverIndex = (serverIndex + 1) % servers.size();
      }
    }
    reconnectTask = scheduler.schedule(() -> runOnWork(this::connect), delayNanos);
    publishStatus();
  }

  private long backoffNanos(int attempt) {
    double base = initialBackoff.toNanos() * Math.pow(1.6, Math.min(attempt, 30));
    double capped = Math.min(base, maxBackoff.toNanos());
    double jitter = 1 + 0.2 * (random.nextDouble() * 2 - 1);
    return (long) (capped * jitter);
  }

  /**
   * What every response on the current stream does first: marks the stream as answered, resets the
   * reconnection backoff and records the nonce. Returns the type's state, or null when the response
   * is to be ignored (an old stream, a closed client, a type not subscribed to).
   */
  private TypeState<?> accept(AdsStream s, String typeUrl, String nonce) {
    if (s != stream || closed) {
      return null;
    }
    s.gotResponse = true;
    backoffAttempt = 0;
    TypeState<?> ts = types.get(typeUrl);
    if (ts == null) {
      log.debug("ignoring a response for unsubscribed type {}", typeUrl);
      return null;
    }
    ts.nonce = nonce;
    return ts;
  }

  private void handleResponse(AdsStream s, DiscoveryResponse response) {
    TypeState<?> ts = accept(s, response.getTypeUrl(), response.getNonce());
    if (ts == null) {
      return;
    }
    process(ts, response.getVersionInfo(), response.getResourcesList(), Map.of(), Set.of());
    publishStatus();
  }

  private void handleDeltaResponse(AdsStream s, DeltaDiscoveryResponse response) {
    TypeState<?> ts = accept(s, response.getTypeUrl(), response.getNonce());
    if (ts == null) {
      return;
    }
    List<Any> resources = new ArrayList<>();
    Map<String, String> versions = new HashMap<>();
    for (Resource r : response.getResourcesList()) {
      resources.add(r.getResource());
      versions.put(r.getName(), r.getVersion());
    }
    process(ts, response.getSystemVersionInfo(), resources, versions, Set.copyOf(response.getRemovedResourcesList()));
    publishStatus();
  }

  /**
   * Parses, checks and commits one response. State of the world: {@code resources} is every resource
   * of the type. Incremental: {@code resources} are the changed ones, {@code removed} the deleted ones,
   * {@code versions} the per-resource versions.
   */
  private <T> void process(TypeState<T> ts, String versionInfo, List<Any> resourceList, Map<String, String> versions,
      Set<String> removed) {
    XdsResourceType<T> type = ts.type;
    Map<String, T> valid = new LinkedHashMap<>();
    Map<String, Any> raw = new LinkedHashMap<>();
    List<String> errors = new ArrayList<>();
    List<String> invalidNames = new ArrayList<>();
    for (int i = 0; i < resourceList.size(); i++) {
      Any any = resourceList.get(i);
      if (!any.getTypeUrl().equals(type.typeUrl())) {
        errors.add(type.shortName() + " response resource[" + i + "]: has type " + any.getTypeUrl());
        continue;
      }
      XdsResourceType.Parsed<T> parsed;
      try {
        parsed = type.parse(any);
      } catch (RuntimeException e) {
        parsed = XdsResourceType.Parsed.invalid("", "cannot be parsed: " + e);
      }
      String name = parsed.name().isEmpty() ? "resource[" + i + "]" : parsed.name();
      if (!parsed.isValid()) {
        errors.add(type.shortName() + " '" + name + "': " + parsed.error());
        invalidNames.add(name);
      } else if (valid.containsKey(name)) {
        errors.add(type.shortName() + " '" + name + "': appears more than once in the response");
        invalidNames.add(name);
      } else if (ts.subs.containsKey(name)) {
        valid.put(name, parsed.value());
        raw.put(name, any);
      }
    }
    if (!errors.isEmpty()) {
      nack(ts, versionInfo, String.join("; ", errors), invalidNames);
      return;
    }
    boolean keepDeleted = servers.get(serverIndex).ignoreResourceDeletion();
    Map<String, T> newState = new LinkedHashMap<>();
    Map<String, Any> newRaw = new LinkedHashMap<>();
    for (Sub<T> sub : ts.subs.values()) {
      String name = sub.name;
      if (valid.containsKey(name)) {
        newState.put(name, valid.get(name));
        newRaw.put(name, raw.get(name));
      } else if (sub.value != null && delta && (!removed.contains(name) || (keepDeleted && type.allResourcesRequired()))) {
        newState.put(name, sub.value);
        newRaw.put(name, ts.rawInForce.get(name));
      } else if (sub.value != null && !delta && (!type.allResourcesRequired() || keepDeleted)) {
        if (type.allResourcesRequired()) {
          log.warn("{} '{}' is missing from the server's response; keeping it (ignore_resource_deletion)", type.shortName(), name);
        }
        newState.put(name, sub.value);
        newRaw.put(name, ts.rawInForce.get(name));
      }
    }
    try {
      gate.check(type, versionInfo, new LinkedHashMap<>(newState));
    } catch (UpdateGate.UpdateRejectedException e) {
      nack(ts, versionInfo, e.getMessage(), List.of());
      return;
    } catch (RuntimeException e) {
      log.warn("the update gate failed on a {} response", type.shortName(), e);
      nack(ts, versionInfo, type.shortName() + " response could not be applied: " + e, List.of());
      return;
    }
    ts.version = versionInfo;
    for (String name : valid.keySet()) {
      ts.resourceVersions.put(name, versions.getOrDefault(name, ""));
    }
    ts.resourceVersions.keySet().retainAll(newState.keySet());
    ts.lastRejectedVersion = "";
    ts.accepted++;
    ts.rawInForce.clear();
    ts.rawInForce.putAll(newRaw);
    ack(ts, null);
    events.onUpdate(type.shortName(), true, "");
    cache.store(type.typeUrl(), ts.version, new ArrayList<>(newRaw.values()));
    for (Sub<T> sub : new ArrayList<>(ts.subs.values())) {
      if (!ts.subs.containsKey(sub.name)) {
        continue;
      }
      T value = newState.get(sub.name);
      if (value != null) {
        sub.cancelTimer();
        boolean changed = !Objects.equals(value, sub.value) || sub.doesNotExist;
        sub.value = value;
        sub.doesNotExist = false;
        sub.fromCache = false;
        if (changed) {
          for (ResourceWatcher<T> w : List.copyOf(sub.watchers)) {
            w.onChanged(sub.name, value);
          }
        }
      } else if ((delta ? removed.contains(sub.name) : type.allResourcesRequired()) && !sub.doesNotExist) {
        markDoesNotExist(sub);
      }
    }
  }

  private <T> void markDoesNotExist(Sub<T> sub) {
    sub.cancelTimer();
    sub.value = null;
    sub.fromCache = false;
    sub.doesNotExist = true;
    for (ResourceWatcher<T> w : List.copyOf(sub.watchers)) {
      w.onDoesNotExist(sub.name);
    }
  }

  private <T> void nack(TypeState<T> ts, String responseVersion, String error, List<String> invalidNames) {
    ts.rejected++;
    ts.lastError = error;
    boolean repeated = responseVersion.equals(ts.lastRejectedVersion);
    ts.lastRejectedVersion = responseVersion;
    if (repeated) {
      // Some servers answer a NACK by sending the same version again; pace the exchange instead of spinning.
      AdsStream s = stream;
      scheduler.schedule(() -> runOnWork(() -> {
        if (s == stream && !closed) {
          ack(ts, ts.lastError);
        }
      }), REPEATED_NACK_DELAY.toNanos());
    } else {
      log.warn("NACK of {} version {}: {}; version {} stays in force", ts.type.shortName(), responseVersion,
          error, ts.version.isEmpty() ? "(none)" : ts.version);
      ack(ts, error);
    }
    events.onUpdate(ts.type.shortName(), false, error);
    for (String name : invalidNames) {
      Sub<T> sub = ts.subs.get(name);
      if (sub != null) {
        for (ResourceWatcher<T> w : List.copyOf(sub.watchers)) {
          w.onTransientError(name, error);
        }
      }
    }
  }

  private <T> void notifyTransient(TypeState<T> ts, String error) {
    for (Sub<T> sub : new ArrayList<>(ts.subs.values())) {
      for (ResourceWatcher<T> w : List.copyOf(sub.watchers)) {
        w.onTransientError(sub.name, error);
      }
    }
  }

  /** Tells the server which resources are wanted now (and starts does-not-exist timers). */
  private <T> void requestSubscriptions(TypeState<T> ts) {
    if (!delta) {
      sendRequest(ts, null);
      return;
    }
    AdsStream s = stream;
    if (s == null || closed) {
      return;
    }
    Set<String> subscribe = new TreeSet<>(ts.subs.keySet());
    subscribe.removeAll(ts.sentSubscriptions);
    Set<String> unsubscribe = new TreeSet<>(ts.sentSubscriptions);
    unsubscribe.removeAll(ts.subs.keySet());
    boolean first = ts.sentSubscriptions.isEmpty() && !s.introduced.contains(ts.type.typeUrl());
    if (subscribe.isEmpty() && unsubscribe.isEmpty() && !first) {
      return;
    }
    DeltaDiscoveryRequest.Builder req = DeltaDiscoveryRequest.newBuilder()
        .setNode(node)
        .setTypeUrl(ts.type.typeUrl())
        .addAllResourceNamesSubscribe(subscribe)
        .addAllResourceNamesUnsubscribe(unsubscribe);
    if (first) {
      // A new stream: say which versions are in hand so the server sends only what changed.
      ts.resourceVersions.forEach((name, version) -> {
        if (ts.subs.containsKey(name) && !version.isEmpty()) {
          req.putInitialResourceVersions(name, version);
        }
      });
      s.introduced.add(ts.type.typeUrl());
    }
    s.send(req.build());
    ts.sentSubscriptions.clear();
    ts.sentSubscriptions.addAll(ts.subs.keySet());
    startTimers(ts, s);
  }

  /** ACKs ({@code errorDetail} null) or NACKs the last response of the type. */
  private <T> void ack(TypeState<T> ts, String errorDetail) {
    if (!delta) {
      sendRequest(ts, errorDetail);
      return;
    }
    AdsStream s = stream;
    if (s == null || closed) {
      return;
    }
    DeltaDiscoveryRequest.Builder req = DeltaDiscoveryRequest.newBuilder().setTypeUrl(ts.type.typeUrl()).setResponseNonce(ts.nonce);
    if (errorDetail != null) {
      req.setErrorDetail(com.google.rpc.Status.newBuilder().setCode(INVALID_ARGUMENT).setMessage(errorDetail));
    }
    s.send(req.build());
  }

  private <T> void sendRequest(TypeState<T> ts, String errorDetail) {
    AdsStream s = stream;
    if (s == null || closed) {
      return;
    }
    DiscoveryRequest.Builder req = DiscoveryRequest.newBuilder()
        .setNode(node)
        .setTypeUrl(ts.type.typeUrl())
        .setVersionInfo(ts.version)
        .setResponseNonce(ts.nonce)
        .addAllResourceNames(new TreeSet<>(ts.subs.keySet()));
    if (errorDetail != null) {
      req.setErrorDetail(com.google.rpc.Status.newBuilder().setCode(INVALID_ARGUMENT).setMessage(errorDetail));
    }
    s.send(req.build());
    startTimers(ts, s);
  }

  private <T> void startTimers(TypeState<T> ts, AdsStream s) {
    for (Sub<T> sub : ts.subs.values()) {
      if (sub.value == null && !sub.doesNotExist && sub.timer == null) {
        sub.timer = scheduler.schedule(() -> runOnWork(() -> onResourceTimeout(ts, sub, s)), resourceTimeout.toNanos());
      }
    }
  }

  private <T> void onResourceTimeout(TypeState<T> ts, Sub<T> sub, AdsStream s) {
    sub.timer = null;
    if (closed || s != stream || ts.subs.get(sub.name) != sub || sub.value != null || sub.doesNotExist) {
      return;
    }
    log.info("{} '{}' was not sent within {}; it does not exist", ts.type.shortName(), sub.name, resourceTimeout);
    markDoesNotExist(sub);
    publishStatus();
  }

  @SuppressWarnings("unchecked")
  private <T> TypeState<T> typeState(XdsResourceType<T> type) {
    TypeState<T> ts = (TypeState<T>) types.get(type.typeUrl());
    if (ts == null) {
      ts = new TypeState<>(type);
      types.put(type.typeUrl(), ts);
      ResourceCache.Stored stored = seeds.remove(type.typeUrl());
      if (stored != null) {
        for (Any any : stored.resources()) {
          XdsResourceType.Parsed<T> p = type.parse(any);
          if (p.isValid()) {
            ts.seed.put(p.name(), p.value());
            ts.seedRaw.put(p.name(), any);
          } else {
            log.warn("ignoring cached {} '{}': {}", type.shortName(), p.name(), p.error());
          }
        }
      }
    }
    return ts;
  }

  private void runOnWork(Runnable task) {
    try {
      work.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      log.debug("xDS client closed; dropping a task");
    }
  }

  private void publishStatus() {
    List<XdsClientStatus.TypeStatus> list = new ArrayList<>();
    for (TypeState<?> ts : types.values()) {
      boolean fromCache = ts.subs.values().stream().anyMatch(s -> s.fromCache);
      list.add(new XdsClientStatus.TypeStatus(ts.type.typeUrl(), ts.type.shortName(), ts.version, ts.nonce,
          new ArrayList<>(new TreeSet<>(ts.subs.keySet())), ts.accepted, ts.rejected, ts.lastError, fromCache));
    }
    XdsClientStatus.ConnectionState state = closed ? XdsClientStatus.ConnectionState.CLOSED
        : stream != null && stream.ready ? XdsClientStatus.ConnectionState.CONNECTED : XdsClientStatus.ConnectionState.CONNECTING;
    status = new XdsClientStatus(servers.get(serverIndex).serverUri(), state, lastStreamError, list);
  }

  // ---- plumbing ----

  private static ManagedChannel defaultChannel(Bootstrap.ServerInfo server) {
    ChannelCredentials creds;
    Bootstrap.ChannelCredentials c = server.credentials();
    if (c.isTls()) {
      try {
        TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
        if (!c.caCertificateFile().isEmpty()) {
          tls.trustManager(new File(c.caCertificateFile()));
        }
        if (!c.certificateFile().isEmpty()) {
          tls.keyManager(new File(c.certificateFile()), new File(c.privateKeyFile()));
        }
        creds = tls.build();
      } catch (IOException e) {
        throw new IllegalStateException("cannot read the TLS files for xDS server " + server.serverUri() + ": " + e, e);
      }
    } else {
      creds = InsecureChannelCredentials.create();
    }
    return Grpc.newChannelBuilder(server.serverUri(), creds).build();
  }

  private static Node toNode(Bootstrap.Node n) {
    Node.Builder b = Node.newBuilder()
        .setId(n.id())
        .setCluster(n.cluster())
        .setUserAgentName(n.userAgentName())
        .setUserAgentVersion("0.1")
        .addClientFeatures("xds.config.resource-in-sotw");
    if (!n.metadata().isEmpty()) {
      b.setMetadata(toStruct(n.metadata()));
    }
    Bootstrap.Locality l = n.locality();
    if (!l.region().isEmpty() || !l.zone().isEmpty() || !l.subZone().isEmpty()) {
      b.setLocality(Locality.newBuilder().setRegion(l.region()).setZone(l.zone()).setSubZone(l.subZone()));
    }
    return b.build();
  }

  private static Struct toStruct(Map<?, ?> map) {
    Struct.Builder s = Struct.newBuilder();
    map.forEach((k, v) -> s.putFields(String.valueOf(k), toValue(v)));
    return s.build();
  }

  private static Value toValue(Object v) {
    if (v instanceof Map<?, ?> m) {
      return Value.newBuilder().setStructValue(toStruct(m)).build();
    }
    if (v instanceof List<?> l) {
      ListValue.Builder lb = ListValue.newBuilder();
      l.forEach(x -> lb.addValues(toValue(x)));
      return Value.newBuilder().setListValue(lb).build();
    }
    if (v instanceof Boolean bool) {
      return Value.newBuilder().setBoolValue(bool).build();
    }
    if (v instanceof Number num) {
      return Value.newBuilder().setNumberValue(num.doubleValue()).build();
    }
    if (v == null) {
      return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
    }
    return Value.newBuilder().setStringValue(v.toString()).build();
  }

  /** Per-type subscription state. */
  private static final class TypeState<T> {
    final XdsResourceType<T> type;
    final Map<String, Sub<T>> subs = new LinkedHashMap<>();
    final Map<String, Any> rawInForce = new LinkedHashMap<>();
    final Map<String, T> seed = new HashMap<>();
    final Map<String, Any> seedRaw = new HashMap<>();
    String version = "";
    String nonce = "";
    long accepted;
    long rejected;
    String lastError = "";
    String lastRejectedVersion = "";
    /** Incremental mode: the version of each resource in hand, and the names the server was told of on this stream. */
    final Map<String, String> resourceVersions = new HashMap<>();
    final Set<String> sentSubscriptions = new java.util.HashSet<>();

    TypeState(XdsResourceType<T> type) {
      this.type = type;
    }
  }

  /** One subscribed resource. */
  private static final class Sub<T> {
    final String name;
    final List<ResourceWatcher<T>> watchers = new ArrayList<>();
    T value;
    boolean doesNotExist;
    boolean fromCache;
    Scheduler.Cancellable timer;

    Sub(String name) {
      this.name = name;
    }

    void cancelTimer() {
      if (timer != null) {
        timer.cancel();
        timer = null;
      }
    }
  }

  /** One ADS stream, state-of-the-world or incremental; its callbacks hop onto the work thread. */
  private final class AdsStream {
    final String serverUri;
    final Set<String> introduced = new java.util.HashSet<>();
    ClientCallStreamObserver<DiscoveryRequest> requests;
    ClientCallStreamObserver<DeltaDiscoveryRequest> deltaRequests;
    boolean ready;
    boolean gotResponse;

    AdsStream(String serverUri) {
      this.serverUri = serverUri;
    }

    void send(DiscoveryRequest request) {
      try {
        requests.onNext(request);
      } catch (RuntimeException e) {
        log.debug("cannot send on the ADS stream: {}", e.toString());
      }
    }

    void send(DeltaDiscoveryRequest request) {
      try {
        deltaRequests.onNext(request);
      } catch (RuntimeException e) {
        log.debug("cannot send on the ADS stream: {}", e.toString());
      }
    }

    void cancel(String why) {
      try {
        if (requests != null) {
          requests.cancel(why, null);
        }
        if (deltaRequests != null) {
          deltaRequests.cancel(why, null);
        }
      } catch (RuntimeException e) {
        log.debug("cancelling the ADS stream: {}", e.toString());
      }
    }

    void closed(Throwable t) {
      runOnWork(() -> onStreamClosed(this, t == null
          ? Status.UNAVAILABLE.withDescription("the server ended the stream") : Status.fromThrowable(t)));
    }

    ClientResponseObserver<DiscoveryRequest, DiscoveryResponse> sotwObserver() {
      return observer(stream -> requests = stream, response -> handleResponse(AdsStream.this, response));
    }

    ClientResponseObserver<DeltaDiscoveryRequest, DeltaDiscoveryResponse> deltaObserver() {
      return observer(stream -> deltaRequests = stream, response -> handleDeltaResponse(AdsStream.this, response));
    }

    /** One observer shape for both protocols: responses and stream events go to the work thread. */
    private <Q, R> ClientResponseObserver<Q, R> observer(java.util.function.Consumer<ClientCallStreamObserver<Q>> onStart,
        java.util.function.Consumer<R> onResponse) {
      return new ClientResponseObserver<>() {
        @Override
        public void beforeStart(ClientCallStreamObserver<Q> requestStream) {
          onStart.accept(requestStream);
          requestStream.setOnReadyHandler(() -> runOnWork(() -> onStreamReady(AdsStream.this)));
        }

        @Override
        public void onNext(R response) {
          runOnWork(() -> onResponse.accept(response));
        }

        @Override
        public void onError(Throwable t) {
          closed(t);
        }

        @Override
        public void onCompleted() {
          closed(null);
        }
      };
    }
  }

  /** Timers on the work thread, when no scheduler is injected. */
  private static final class WorkScheduler implements Scheduler {
    private final ScheduledExecutorService executor;

    WorkScheduler(ScheduledExecutorService executor) {
      this.executor = executor;
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
      try {
        ScheduledFuture<?> f = executor.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        return () -> {};
      }
    }

    @Override
    public Cancellable scheduleAtFixedRate(Runnable task, long periodNanos) {
      ScheduledFuture<?> f = executor.scheduleAtFixedRate(task, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
      return () -> f.cancel(false);
    }
  }

  /** Told about the stream and updates, on the work thread; for status, metrics and logs. */
  public interface Events {
    Events NONE = new Events() {};

    /** The stream opened ({@code connected}) or broke. */
    default void onConnectionState(boolean connected, String serverUri, String error) {}

    /** A response of {@code type} was accepted or rejected (with the error_detail sent). */
    default void onUpdate(String type, boolean accepted, String error) {}
  }

  /** Builds an {@link XdsClient}. */
  public static final class Builder {
    private final List<Bootstrap.ServerInfo> servers;
    private final Bootstrap.Node node;
    private Scheduler scheduler;
    private Duration resourceTimeout = Duration.ofSeconds(15);
    private Duration initialBackoff = Duration.ofSeconds(1);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private Random random = new Random();
    private UpdateGate gate = UpdateGate.ACCEPT_ALL;
    private ResourceCache cache = ResourceCache.NONE;
    private Events events = Events.NONE;
    private Function<Bootstrap.ServerInfo, ManagedChannel> channelFactory;
    private boolean delta;

    private Builder(Bootstrap bootstrap) {
      this.servers = bootstrap.servers();
      this.node = bootstrap.node();
    }

    /** Runs does-not-exist timers and reconnection delays; by default the client's own thread. */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** How long a subscribed resource may go unsent before it is taken not to exist; 15 s by default. */
    public Builder resourceTimeout(Duration resourceTimeout) {
      this.resourceTimeout = requireNonNull(resourceTimeout, "resourceTimeout");
      return this;
    }

    /** The reconnection backoff: 1 s growing by 1.6 per failed attempt up to 30 s, ±20% jitter, by default. */
    public Builder reconnectBackoff(Duration initial, Duration max) {
      this.initialBackoff = requireNonNull(initial, "initial");
      this.maxBackoff = requireNonNull(max, "max");
      return this;
    }

    /** The randomness of the backoff jitter. */
    public Builder random(Random random) {
      this.random = requireNonNull(random, "random");
      return this;
    }

    /** Has the last word on each response before it is committed; accepts everything by default. */
    public Builder gate(UpdateGate gate) {
      this.gate = requireNonNull(gate, "gate");
      return this;
    }

    /** Where accepted resources are kept for a restart; nowhere by default. */
    public Builder cache(ResourceCache cache) {
      this.cache = requireNonNull(cache, "cache");
      return this;
    }

    /** Told about the stream's state and each accepted or rejected response. */
    public Builder events(Events events) {
      this.events = requireNonNull(events, "events");
      return this;
    }

    /** Makes the channel to a management server; by default from its URI and channel credentials. */
    public Builder channelFactory(Function<Bootstrap.ServerInfo, ManagedChannel> channelFactory) {
      this.channelFactory = requireNonNull(channelFactory, "channelFactory");
      return this;
    }

    /** Uses incremental (delta) ADS instead of state of the world. Off by default. */
    public Builder delta(boolean delta) {
      this.delta = delta;
      return this;
    }

    public XdsClient build() {
      return new XdsClient(this);
    }
  }
}
