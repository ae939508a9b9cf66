package dev.weft.mesh.core.internal.health;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.config.CircuitBreakers;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A cluster's circuit-breaker thresholds (Envoy's, gRFC A32): how many requests, retries (and
 * hedged attempts), pending requests and connections may be in flight at once. Over a limit, the
 * acquire fails at once and the caller fails the attempt instead of queueing; a successful acquire
 * must be paired with exactly one release.
 *
 * <p>The engine uses {@link #tryAcquireRequest()} and {@link #tryAcquireRetry()}; protocol modules
 * use {@link #tryAcquirePending()} (a call waiting for a connection) and {@link
 * #tryAcquireConnection()}.
 *
 * <p>Why not resilience4j's {@code SemaphoreBulkhead} (with a zero wait), which would fit {@code
 * maxRequests} at first sight: its {@code changeConfig} lowers a limit by acquiring the difference
 * with {@code acquireUninterruptibly} under a lock, so a config change that lowers a limit below
 * the calls in flight blocks the config thread until enough of them finish; its acquire fails for a
 * caller whose thread is interrupted (the zero-wait {@code tryAcquire} throws {@code
 * InterruptedException}), which is not an overload; and it builds an event supplier on every
 * acquire. Here each limit is one {@link AtomicInteger} moved by compare-and-set, and the limits
 * are a volatile reference, so a config change is a single write that keeps every count in flight:
 * with a lower limit new acquires fail until enough releases bring the count under it.
 *
 * <p>Threading: every method may be called from any thread; acquires and releases are lock-free,
 * never block and do not allocate.
 */
public final class ClusterLimits {
  private volatile CircuitBreakers limits;
  private final Counter requests = new Counter("Request");
  private final Counter retries = new Counter("Retry");
  private final Counter pending = new Counter("Pending");
  private final Counter connections = new Counter("Connection");

  public ClusterLimits(CircuitBreakers limits) {
    this.limits = requireNonNull(limits, "limits");
  }

  /** Takes one of {@code maxRequests}; false (counted as rejected) when all are in use. */
  public boolean tryAcquireRequest() {
    return requests.tryAcquire(limits.maxRequests());
  }

  /** Gives back what {@link #tryAcquireRequest()} took. */
  public void releaseRequest() {
    requests.release();
  }

  /**
   * Takes one of {@code maxRetries}, for a retry or a hedged attempt; false when all are in use.
   */
  public boolean tryAcquireRetry() {
    return retries.tryAcquire(limits.maxRetries());
  }

  /** Gives back what {@link #tryAcquireRetry()} took. */
  public void releaseRetry() {
    retries.release();
  }

  /** Takes one of {@code maxPendingRequests}, for a call waiting for a connection. */
  public boolean tryAcquirePending() {
    return pending.tryAcquire(limits.maxPendingRequests());
  }

  /** Gives back what {@link #tryAcquirePending()} took. */
  public void releasePending() {
    pending.release();
  }

  /** Takes one of {@code maxConnections}, for a new connection to any endpoint of the cluster. */
  public boolean tryAcquireConnection() {
    return connections.tryAcquire(limits.maxConnections());
  }

  /** Gives back what {@link #tryAcquireConnection()} took. */
  public void releaseConnection() {
    connections.release();
  }

  /**
   * Applies new limits; what is in flight stays counted. A limit lowered below the count in flight
   * refuses new acquires until enough releases bring the count under it. Never blocks.
   */
  public void onConfigChange(CircuitBreakers newLimits) {
    this.limits = requireNonNull(newLimits, "newLimits");
  }

  /** The limits in force. */
  public CircuitBreakers limits() {
    return limits;
  }

  /** Requests in flight. */
  public int activeRequests() {
    return requests.active.get();
  }

  /** Retries and hedged attempts in flight. */
  public int activeRetries() {
    return retries.active.get();
  }

  /** Calls waiting for a connection. */
  public int pendingRequests() {
    return pending.active.get();
  }

  /** Connections open. */
  public int activeConnections() {
    return connections.active.get();
  }

  /**
   * Requests refused by {@code maxRequests} since creation (Envoy's {@code upstream_rq_overflow}).
   */
  public long rejectedRequests() {
    return requests.rejected.get();
  }

  /**
   * Retries refused by {@code maxRetries} since creation (Envoy's {@code
   * upstream_rq_retry_overflow}).
   */
  public long rejectedRetries() {
    return retries.rejected.get();
  }

  /** Calls refused by {@code maxPendingRequests} (Envoy's {@code upstream_rq_pending_overflow}). */
  public long rejectedPending() {
    return pending.rejected.get();
  }

  /** Connections refused by {@code maxConnections} (Envoy's {@code upstream_cx_overflow}). */
  public long rejectedConnections() {
    return connections.rejected.get();
  }

  @Override
  public String toString() {
    return "ClusterLimits{requests="
        + activeRequests()
        + ", retries="
        + activeRetries()
        + ", pending="
        + pendingRequests()
        + ", connections="
        + activeConnections()
        + ", limits="
        + limits
        + "}";
  }

  private static final class Counter {
    final AtomicInteger active = new AtomicInteger();
    final AtomicLong rejected = new AtomicLong();
    private final String name;

    Counter(String name) {
      this.name = name;
    }

    boolean tryAcquire(int limit) {
      for (; ; ) {
        int current = active.get();
        if (current >= limit) {
          rejected.incrementAndGet();
          return false;
        }
        if (active.compareAndSet(current, current + 1)) {
          return true;
        }
      }
    }

    void release() {
      for (; ; ) {
        int current = active.get();
        if (current <= 0) {
          // Refuse to go negative: that would let a later caller exceed the limit.
          throw new IllegalStateException(
              "release" + name + "() without a matching tryAcquire" + name + "()");
        }
        if (active.compareAndSet(current, current - 1)) {
          return;
        }
      }
    }
  }
}
