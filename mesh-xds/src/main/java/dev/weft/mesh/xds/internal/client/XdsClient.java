package dev.weft.mesh.xds.internal.client;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.runtime.RandomSource;
import dev.weft.mesh.api.runtime.Randoms;
import dev.weft.mesh.api.runtime.Scheduler;
import dev.weft.mesh.core.DaemonScheduler;
import dev.weft.mesh.core.ExponentialBackoff;
import dev.weft.mesh.xds.bootstrap.Bootstrap;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ADS client for the Envoy v3 API (gRFC A27), state of the world or, with {@link
 * Builder#delta(boolean)}, incremental: one stream to the management server, subscriptions per
 * type, ACK and NACK with version, nonce and error_detail, does-not-exist timers, reconnection with
 * jittered exponential backoff and resubscription, fallback to the next configured server when one
 * cannot be reached (gRFC A71), and an optional on-disk copy of what was accepted.
 *
 * <p>This class ties the parts together on one work thread: the {@link SubscriptionStore} holds
 * watchers and values, the {@link ControlPlaneConnection} keeps a stream open to the server list,
 * an {@link AdsStream} speaks one form of the protocol, and the {@link ResponseProcessor} accepts
 * or rejects each response as a whole (if any resource in it is invalid, or the {@link UpdateGate}
 * refuses it, nothing of it is used and it is NACKed).
 *
 * <p>Threading: all work runs serially on one thread the client owns; watchers, the gate and the
 * event listener are called there and must not block. Public methods may be called from any thread.
 */
public final class XdsClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(XdsClient.class);

  private final DaemonScheduler workThread;
  private final Executor work = this::runOnWork;
  private final Events events;
  private final ResourceCache cache;
  // Confined to the work thread.
  private final SubscriptionStore store;
  private final ControlPlaneConnection connection;
  private final ResponseProcessor processor;
  private boolean started;
  private volatile XdsClientStatus status;

  private XdsClient(Builder b) {
    this.workThread = new DaemonScheduler("weft-xds-client");
    Scheduler scheduler = b.scheduler != null ? b.scheduler : workThread;
    this.events = b.events;
    this.cache = b.cache;
    this.store = new SubscriptionStore(cache.load(), scheduler, work, b.resourceTimeout);
    // gRPC's connection backoff shape: a wait near zero would hammer a server that just went away.
    ExponentialBackoff backoff =
        ExponentialBackoff.proportionalJitter(b.initialBackoff, b.maxBackoff, 1.6, 0.2, b.random);
    this.connection =
        new ControlPlaneConnection(
            b.servers,
            NodeConverter.toNode(b.node),
            b.transports,
            b.delta ? AdsStream.Factory.DELTA : AdsStream.Factory.SOTW,
            backoff,
            scheduler,
            work,
            new ConnectionHandler());
    this.processor =
        new ResponseProcessor(b.gate, cache, events, scheduler, work, connection::isCurrent);
    this.status =
        new XdsClientStatus(
            b.servers.get(0).serverUri(),
            XdsClientStatus.ConnectionState.CONNECTING,
            "",
            List.of());
  }

  /** A builder for a client of the servers and with the node identity in {@code bootstrap}. */
  public static Builder builder(Bootstrap bootstrap) {
    return new Builder(bootstrap);
  }

  /** Opens the stream. Watches added before or after are sent on it. Idempotent. */
  public void start() {
    runOnWork(
        () -> {
          if (!started && !connection.closed()) {
            started = true;
            connection.connect();
            publishStatus();
          }
        });
  }

  /**
   * Subscribes {@code watcher} to the resource {@code name} of {@code type}. A value already in
   * hand (from the server or the on-disk cache) is delivered at once, on the work thread.
   */
  public <T> void watch(XdsResourceType<T> type, String name, ResourceWatcher<T> watcher) {
    requireNonNull(type, "type");
    requireNonNull(name, "name");
    requireNonNull(watcher, "watcher");
    runOnWork(
        () -> {
          if (connection.closed()) {
            return;
          }
          if (store.watch(type, name, watcher)) {
            requestSubscriptions(store.typeState(type));
          }
          publishStatus();
        });
  }

  /** Removes {@code watcher}; the last watcher gone unsubscribes the resource. */
  public <T> void cancelWatch(XdsResourceType<T> type, String name, ResourceWatcher<T> watcher) {
    runOnWork(
        () -> {
          if (store.cancelWatch(type, name, watcher)) {
            requestSubscriptions(store.typeState(type));
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
    workThread.execute(task);
  }

  /** Closes the stream and the channels and stops the work thread. Idempotent. */
  @Override
  public void close() {
    CountDownLatch done = new CountDownLatch(1);
    try {
      workThread.execute(
          () -> {
            try {
              store.cancelTimers();
              connection.close();
              publishStatus();
            } finally {
              done.countDown();
            }
          });
      done.await(5, TimeUnit.SECONDS);
    } catch (RejectedExecutionException e) {
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    workThread.close();
    try {
      workThread.awaitTermination(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- on the work thread ----

  /**
   * Tells the server which resources of the type are wanted now, and starts their does-not-exist
   * timers.
   */
  private void requestSubscriptions(TypeState<?> ts) {
    AdsStream s = connection.stream();
    if (s == null) {
      return; // the next stream asks for everything
    }
    s.requestSubscriptions(ts);
    store.startTimers(ts, s, connection::isCurrent, this::publishStatus);
  }

  private void runOnWork(Runnable task) {
    try {
      workThread.execute(task);
    } catch (RejectedExecutionException e) {
      log.debug("xDS client closed; dropping a task");
    }
  }

  private void publishStatus() {
    AdsStream s = connection.stream();
    List<XdsClientStatus.TypeStatus> types = store.status(type -> s == null ? "" : s.nonce(type));
    XdsClientStatus.ConnectionState state =
        connection.closed()
            ? XdsClientStatus.ConnectionState.CLOSED
            : connection.connected()
                ? XdsClientStatus.ConnectionState.CONNECTED
                : XdsClientStatus.ConnectionState.CONNECTING;
    status =
        new XdsClientStatus(connection.server().serverUri(), state, connection.lastError(), types);
  }

  /** The client's side of the connection: resubscription, stream-loss notices and responses. */
  private final class ConnectionHandler implements ControlPlaneConnection.Handler {
    @Override
    public void onStreamOpened(AdsStream stream) {
      store.cancelTimers();
      for (TypeState<?> ts : store.types()) {
        if (!ts.subs.isEmpty()) {
          requestSubscriptions(ts);
        }
      }
      publishStatus();
    }

    @Override
    public void onConnectionState(boolean connected, String serverUri, String error) {
      if (!connected) {
        store.streamLost(error);
      }
      events.onConnectionState(connected, serverUri, error);
      publishStatus();
    }

    @Override
    public void onResponse(AdsStream stream, AdsResponse response) {
      TypeState<?> ts = store.forUrl(response.typeUrl());
      if (ts == null) {
        log.debug("ignoring a response for unsubscribed type {}", response.typeUrl());
        publishStatus();
        return;
      }
      processor.process(ts, response, stream, connection.server().ignoreResourceDeletion());
      store.startTimers(ts, stream, connection::isCurrent, XdsClient.this::publishStatus);
      publishStatus();
    }
  }

  /** Told about the stream and updates, on the work thread; for status, metrics and logs. */
  public interface Events {
    Events NONE = new Events() {};

    /** The stream opened ({@code connected}) or broke. */
    default void onConnectionState(boolean connected, String serverUri, String error) {}

    /** A response of {@code type} was accepted or rejected (with the error_detail sent). */
    default void onUpdate(XdsResourceType<?> type, boolean accepted, String error) {}
  }

  /** Builds an {@link XdsClient}. */
  public static final class Builder {
    private final List<Bootstrap.ServerInfo> servers;
    private final Bootstrap.Node node;
    private Scheduler scheduler;
    private Duration resourceTimeout = Duration.ofSeconds(15);
    private Duration initialBackoff = Duration.ofSeconds(1);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private RandomSource random = Randoms.threadLocal();
    private UpdateGate gate = UpdateGate.ACCEPT_ALL;
    private ResourceCache cache = ResourceCache.NONE;
    private Events events = Events.NONE;
    private XdsTransportFactory transports = XdsTransportFactory.grpc();
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

    /**
     * How long a subscribed resource may go unsent before it is taken not to exist; 15 s by
     * default.
     */
    public Builder resourceTimeout(Duration resourceTimeout) {
      this.resourceTimeout = requireNonNull(resourceTimeout, "resourceTimeout");
      return this;
    }

    /**
     * The reconnection backoff: {@code initial} growing by 1.6 per failed attempt up to {@code
     * max}, ±20% jitter; 1 s to 30 s by default.
     *
     * @throws IllegalArgumentException unless {@code 0 < initial <= max} (when the client is built)
     */
    public Builder reconnectBackoff(Duration initial, Duration max) {
      this.initialBackoff = requireNonNull(initial, "initial");
      this.maxBackoff = requireNonNull(max, "max");
      return this;
    }

    /** The randomness of the backoff jitter (tests fix it). */
    public Builder random(RandomSource random) {
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

    /** Makes the channel to a management server; by default {@link XdsTransportFactory#grpc()}. */
    public Builder transportFactory(XdsTransportFactory transports) {
      this.transports = requireNonNull(transports, "transports");
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
