package dev.weft.mesh.core.spi;

/**
 * The protocol side of the attempt loop: how to make one attempt of a call against one endpoint.
 * The engine decides which endpoint, when, how many times and with how much time; the adapter moves
 * bytes. gRPC and HTTP each implement this once.
 *
 * @param <R> the protocol's result of an attempt (a response, or a status); it is handed to the
 *     caller's {@link CallListener} for the attempt that ends the call
 */
public interface AttemptAdapter<R> {

  /**
   * Starts one attempt. Must not block. The adapter enforces {@link AttemptContext#timeoutNanos()}
   * with the protocol's own deadline (so that it propagates downstream, for example as {@code
   * grpc-timeout}) and reports exactly one {@link AttemptSink#complete} per attempt, also when it
   * is cancelled.
   */
  Attempt start(AttemptContext context, AttemptSink<R> sink);

  /**
   * Releases a result the engine will not hand to the caller (a failed attempt that is retried, a
   * hedge that lost). The default does nothing.
   */
  default void discard(R result) {}
}
