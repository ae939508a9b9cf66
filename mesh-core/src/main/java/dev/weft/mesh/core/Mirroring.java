package dev.weft.mesh.core;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.core.internal.health.OutcomeClass;
import dev.weft.mesh.core.spi.AttemptAdapter;
import dev.weft.mesh.core.spi.AttemptContext;
import dev.weft.mesh.core.spi.AttemptOutcome;
import dev.weft.mesh.core.spi.AttemptSink;
import dev.weft.mesh.core.spi.CallRequest;
import io.opentelemetry.context.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a route's mirrored copies of a call: each mirror takes its share of calls, runs to its end,
 * and nothing waits for it; its result is discarded and its failures never reach the caller.
 */
final class Mirroring {
  private static final Logger log = LoggerFactory.getLogger(Mirroring.class);

  /** Starts the copies of one admitted call, each given at most {@code timeoutNanos}. */
  static <R> void start(
      EngineContext engine,
      CompiledRoute route,
      CallRequest request,
      AttemptAdapter<R> adapter,
      long timeoutNanos) {
    for (CompiledRoute.MirrorTarget mirror : route.mirrors) {
      if (engine.random().nextDouble() * 100 < mirror.percent) {
        startOne(engine, mirror.target, request, adapter, timeoutNanos);
      }
    }
  }

  private static <R> void startOne(
      EngineContext engine,
      RouteTarget mirror,
      CallRequest request,
      AttemptAdapter<R> adapter,
      long timeoutNanos) {
    EndpointState endpoint = mirror.balanced.pick(RequestHash.NONE);
    if (endpoint == null) {
      return;
    }
    MirrorRun<R> run =
        new MirrorRun<>(engine, endpoint, mirror.cluster.config(), request, adapter, timeoutNanos);
    endpoint.onAttemptStart();
    try {
      adapter.start(run, run);
    } catch (RuntimeException e) {
      endpoint.onAttemptEnd(0, engine.ticker().nanoTime(), OutcomeClass.LOCAL);
      log.debug("mirror attempt to {} could not start", endpoint.address(), e);
    }
  }

  /** A mirrored copy: runs to its end, and nothing waits for it. */
  private static final class MirrorRun<R> implements AttemptContext, AttemptSink<R> {
    private final EngineContext engine;
    private final EndpointState endpoint;
    private final Cluster cluster;
    private final CallRequest request;
    private final AttemptAdapter<R> adapter;
    private final long timeoutNanos;
    private final long startNanos;

    MirrorRun(
        EngineContext engine,
        EndpointState endpoint,
        Cluster cluster,
        CallRequest request,
        AttemptAdapter<R> adapter,
        long timeoutNanos) {
      this.engine = engine;
      this.endpoint = endpoint;
      this.cluster = cluster;
      this.request = request;
      this.adapter = adapter;
      this.timeoutNanos = timeoutNanos;
      this.startNanos = engine.ticker().nanoTime();
    }

    @Override
    public Endpoint endpoint() {
      return endpoint.endpoint();
    }

    @Override
    public Cluster cluster() {
      return cluster;
    }

    @Override
    public int attemptNumber() {
      return 0;
    }

    @Override
    public boolean hedge() {
      return false;
    }

    @Override
    public boolean mirror() {
      return true;
    }

    @Override
    public long timeoutNanos() {
      return timeoutNanos;
    }

    @Override
    public Context traceContext() {
      return request.parentContext();
    }

    @Override
    public boolean commit() {
      return true;
    }

    @Override
    public void complete(R result, AttemptOutcome outcome) {
      long now = engine.ticker().nanoTime();
      endpoint.onAttemptEnd(now - startNanos, now, OutcomeClassifier.outlierClass(outcome));
      adapter.discard(result);
    }
  }

  private Mirroring() {}
}
