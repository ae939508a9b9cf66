package dev.weft.mesh.core.spi;

import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.context.Context;

/**
 * One logical call as the engine sees it: enough to route it, hash it and trace it. A protocol
 * module implements this over its own request type without copying it.
 *
 * <p>Methods are called on the calling thread and on the mesh's timer thread; implementations are
 * effectively immutable.
 */
public interface CallRequest {

  /** The logical service the call is addressed to, for example {@code reviews}. */
  String service();

  /** The request path: {@code /package.Service/Method} for gRPC, the URL path for HTTP. */
  String path();

  /** The HTTP method in upper case; {@code POST} for gRPC. */
  String method();

  /** The first value of a header (gRPC metadata key), by lower-case name, or null when absent. */
  String header(String lowerCaseName);

  /**
   * Whether the call may safely be made twice: retries and hedging of a non-idempotent call happen
   * only where its route allows them.
   */
  boolean idempotent();

  /**
   * The time the caller allows the whole call, in nanoseconds, or {@link Long#MAX_VALUE} for no
   * limit. The route's timeout may shorten it; it is never lengthened.
   */
  long timeoutNanos();

  /** Whether the caller attached an explicit hash key for hashing load balancers. */
  default boolean hasCallKey() {
    return false;
  }

  /** The caller's explicit hash key; meaningful only when {@link #hasCallKey()}. */
  default long callKey() {
    return 0;
  }

  /** The trace context the call's span continues. */
  default Context parentContext() {
    return Context.current();
  }

  /**
   * The span name, following the protocol's semantic conventions (for example {@code
   * reviews.Reviews/Get}).
   */
  String spanName();

  /** Adds the protocol's semantic-convention attributes to the call's span. */
  default void spanAttributes(AttributesBuilder attributes) {}
}
