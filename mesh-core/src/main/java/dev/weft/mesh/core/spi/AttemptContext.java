package dev.weft.mesh.core.spi;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Endpoint;
import io.opentelemetry.context.Context;

/** What an adapter needs to make one attempt. */
public interface AttemptContext {

  /** The endpoint chosen for this attempt. */
  Endpoint endpoint();

  /** The cluster the endpoint belongs to (for its TLS settings and connect timeout). */
  Cluster cluster();

  /** 0 for the first attempt, then 1, 2... for retries and hedges. */
  int attemptNumber();

  /** Whether this attempt is a hedge, running alongside earlier ones. */
  boolean hedge();

  /** Whether this attempt is a mirrored shadow copy, whose outcome nobody waits for. */
  boolean mirror();

  /** The time this attempt may take, in nanoseconds; {@link Long#MAX_VALUE} for no limit. */
  long timeoutNanos();

  /** The trace context to propagate downstream (it holds the attempt's span). */
  Context traceContext();
}
