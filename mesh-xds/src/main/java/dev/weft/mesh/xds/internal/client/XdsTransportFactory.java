package dev.weft.mesh.xds.internal.client;

import dev.weft.mesh.xds.bootstrap.Bootstrap;
import io.grpc.ManagedChannel;

/**
 * Makes the channel to one management server. The client owns what it gets: it resets the channel's
 * connect backoff when its own backoff says to retry, and shuts it down on close. Tests substitute
 * an in-process transport.
 */
@FunctionalInterface
public interface XdsTransportFactory {

  /** A channel to {@code server}, from its URI and channel credentials. */
  static XdsTransportFactory grpc() {
    return GrpcTransportFactory.INSTANCE;
  }

  /**
   * A new channel to {@code server}; called once per server, on the client's work thread.
   *
   * @throws IllegalStateException if the server's credentials cannot be read
   */
  ManagedChannel create(Bootstrap.ServerInfo server);
}
