package dev.weft.mesh.xds.internal.client;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.Channel;
import io.grpc.Status;

/**
 * One ADS stream to one management server, in one of its two forms: state of the world ({@link
 * SotwAdsStream}) or incremental ({@link DeltaAdsStream}). It knows how to say what is wanted and
 * how to ACK and NACK in its form; what to ask for and whether to accept is decided by the caller.
 * A stream is used once: after it closes, a new one is opened.
 *
 * <p>Threading: called on the client's work thread; its {@link Listener} is called there too.
 */
interface AdsStream {

  /**
   * Tells the server which resources of the type are wanted now (names added or removed, or a new
   * stream).
   */
  void requestSubscriptions(TypeState<?> ts);

  /** ACKs the last response of the type: its version is in force. */
  void ack(TypeState<?> ts);

  /** NACKs the last response of the type with {@code errorDetail}; the version in force stays. */
  void nack(TypeState<?> ts, String errorDetail);

  /** The nonce of the last response of the type on this stream, or empty. */
  String nonce(XdsResourceType<?> type);

  /** Ends the stream; the listener is not told. */
  void cancel(String why);

  /** What happens on a stream, in order, on the client's work thread. */
  interface Listener {
    /** The stream can carry requests (the server is reachable). */
    void onReady(AdsStream stream);

    /** A response arrived; its nonce is already recorded. */
    void onResponse(AdsStream stream, AdsResponse response);

    /** The stream ended (by the server, or the transport failed). */
    void onClosed(AdsStream stream, Status status);
  }

  /** Opens a stream of one form. */
  @FunctionalInterface
  interface Factory {
    /** State of the world (gRFC A27). */
    Factory SOTW = SotwAdsStream::open;

    /** Incremental (delta) ADS. */
    Factory DELTA = DeltaAdsStream::open;

    /**
     * @param work where the stream's callbacks run (the client's work thread)
     */
    AdsStream open(
        Channel channel, Node node, java.util.concurrent.Executor work, Listener listener);
  }
}
