package dev.weft.mesh.xds.internal.client;

import dev.weft.mesh.api.runtime.Scheduler;
import dev.weft.mesh.core.ExponentialBackoff;
import dev.weft.mesh.xds.bootstrap.Bootstrap;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection to the configured server list: keeps one stream open to one server, reopens it
 * after it breaks (at once if the server had answered, else after a backoff and on the next
 * server), and, while on a fallback server, goes back to the primary once it is reachable again
 * (gRFC A71). One channel per server, made by the {@link XdsTransportFactory} and kept for reuse.
 *
 * <p>Threading: work thread only. The {@link Handler} is called there.
 */
final class ControlPlaneConnection implements AdsStream.Listener {
  private static final Logger log = LoggerFactory.getLogger(ControlPlaneConnection.class);

  /** What the client does as streams come and go. */
  interface Handler {
    /**
     * A new stream was opened: ask for everything subscribed on it (the old stream's timers are
     * void).
     */
    void onStreamOpened(AdsStream stream);

    /** The stream became ready or broke; {@code error} is empty when connected. */
    void onConnectionState(boolean connected, String serverUri, String error);

    /** A response arrived on the current stream. */
    void onResponse(AdsStream stream, AdsResponse response);
  }

  private final List<Bootstrap.ServerInfo> servers;
  private final Node node;
  private final XdsTransportFactory transports;
  private final AdsStream.Factory streams;
  private final ExponentialBackoff backoff;
  private final Scheduler scheduler;
  private final Executor work;
  private final Handler handler;
  private final Map<Integer, ManagedChannel> channels = new HashMap<>();
  private AdsStream stream;
  private boolean ready;
  private boolean answered;
  private int serverIndex;

  /** Failed attempts in a row without a response; the backoff grows with it. */
  private int failures;

  private Scheduler.Cancellable reconnectTask;
  private boolean closed;
  private String lastError = "";

  ControlPlaneConnection(
      List<Bootstrap.ServerInfo> servers,
      Node node,
      XdsTransportFactory transports,
      AdsStream.Factory streams,
      ExponentialBackoff backoff,
      Scheduler scheduler,
      Executor work,
      Handler handler) {
    this.servers = List.copyOf(servers);
    this.node = node;
    this.transports = transports;
    this.streams = streams;
    this.backoff = backoff;
    this.scheduler = scheduler;
    this.work = work;
    this.handler = handler;
  }

  /** The open stream, or null while there is none. */
  AdsStream stream() {
    return stream;
  }

  boolean isCurrent(AdsStream s) {
    return s != null && s == stream && !closed;
  }

  boolean connected() {
    return stream != null && ready;
  }

  boolean closed() {
    return closed;
  }

  Bootstrap.ServerInfo server() {
    return servers.get(serverIndex);
  }

  String lastError() {
    return lastError;
  }

  void connect() {
    if (closed) {
      return;
    }
    reconnectTask = null;
    Bootstrap.ServerInfo server = server();
    ManagedChannel channel = channels.get(serverIndex);
    if (channel == null) {
      channel = transports.create(server);
      channels.put(serverIndex, channel);
    } else {
      // This client's backoff decides when to retry; the channel's own must not add to it.
      channel.resetConnectBackoff();
    }
    ready = false;
    answered = false;
    log.debug("opening an ADS stream to {}", server.serverUri());
    stream = streams.open(channel, node, work, this);
    handler.onStreamOpened(stream);
  }

  @Override
  public void onReady(AdsStream s) {
    if (!isCurrent(s) || ready) {
      return;
    }
    ready = true;
    handler.onConnectionState(true, server().serverUri(), "");
    if (serverIndex != 0) {
      watchPrimary();
    }
  }

  @Override
  public void onResponse(AdsStream s, AdsResponse response) {
    if (!isCurrent(s)) {
      return;
    }
    answered = true;
    failures = 0;
    handler.onResponse(s, response);
  }

  @Override
  public void onClosed(AdsStream s, Status status) {
    if (!isCurrent(s)) {
      return;
    }
    stream = null;
    String reason =
        status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
    String serverUri = server().serverUri();
    lastError = "ADS stream to " + serverUri + " closed: " + reason;
    log.info("{}; cached resources stay in force", lastError);
    long delayNanos = 0;
    if (!answered) {
      delayNanos = backoff.delayNanos(++failures);
      if (servers.size() > 1) {
        serverIndex = (serverIndex + 1) % servers.size();
      }
    }
    handler.onConnectionState(false, serverUri, lastError);
    reconnectTask = scheduler.schedule(() -> work.execute(this::connect), delayNanos);
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
      primary.notifyWhenStateChanged(state, () -> work.execute(this::watchPrimary));
    }
  }

  private void switchToPrimary() {
    log.info(
        "the primary xDS server {} is reachable again; leaving the fallback {}",
        servers.get(0).serverUri(),
        server().serverUri());
    AdsStream old = stream;
    stream = null;
    if (old != null) {
      old.cancel("switching back to the primary xDS server");
    }
    if (reconnectTask != null) {
      reconnectTask.cancel();
    }
    serverIndex = 0;
    failures = 0;
    connect();
  }

  /** Ends the stream and shuts the channels down; waits a little for them. */
  void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (reconnectTask != null) {
      reconnectTask.cancel();
    }
    if (stream != null) {
      stream.cancel("client closed");
      stream = null;
    }
    channels.values().forEach(ManagedChannel::shutdownNow);
    for (ManagedChannel ch : channels.values()) {
      try {
        ch.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    channels.clear();
  }
}
