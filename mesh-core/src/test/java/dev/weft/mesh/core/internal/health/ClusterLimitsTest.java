package dev.weft.mesh.core.internal.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.api.config.CircuitBreakers;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClusterLimitsTest {
  private ExecutorService pool;

  @AfterEach
  void stopPool() throws InterruptedException {
    if (pool != null) {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void eachLimitRefusesOnceFullAndAcceptsAfterARelease() {
    ClusterLimits limits = new ClusterLimits(new CircuitBreakers(3, 1, 2, 0));

    assertThat(limits.tryAcquireRequest()).isTrue();
    assertThat(limits.tryAcquireRequest()).isTrue();
    assertThat(limits.tryAcquireRequest()).isFalse();
    assertThat(limits.activeRequests()).isEqualTo(2);
    assertThat(limits.rejectedRequests()).isEqualTo(1);
    limits.releaseRequest();
    assertThat(limits.tryAcquireRequest()).isTrue();

    assertThat(limits.tryAcquireRetry()).as("maxRetries 0 allows no retry").isFalse();
    assertThat(limits.rejectedRetries()).isEqualTo(1);

    assertThat(limits.tryAcquirePending()).isTrue();
    assertThat(limits.tryAcquirePending()).isFalse();
    limits.releasePending();
    assertThat(limits.pendingRequests()).isZero();

    for (int i = 0; i < 3; i++) {
      assertThat(limits.tryAcquireConnection()).isTrue();
    }
    assertThat(limits.tryAcquireConnection()).isFalse();
    assertThat(limits.activeConnections()).isEqualTo(3);
    assertThat(limits.rejectedConnections()).isEqualTo(1);
  }

  @Test
  void anUnmatchedReleaseFailsLoudlyAndCountsStayAtZero() {
    ClusterLimits limits = new ClusterLimits(CircuitBreakers.DEFAULT);
    assertThatThrownBy(limits::releaseRetry)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("releaseRetry()");
    assertThat(limits.activeRetries()).isZero();
  }

  @Test
  void aConfigChangeKeepsTheCountsInFlight() {
    ClusterLimits limits = new ClusterLimits(new CircuitBreakers(10, 10, 5, 3));
    for (int i = 0; i < 5; i++) {
      assertThat(limits.tryAcquireRequest()).isTrue();
    }
    assertThat(limits.tryAcquireRetry()).isTrue();

    limits.onConfigChange(new CircuitBreakers(10, 10, 3, 3));
    assertThat(limits.activeRequests()).isEqualTo(5);
    assertThat(limits.activeRetries()).isEqualTo(1);
    assertThat(limits.tryAcquireRequest()).as("5 in flight over a new limit of 3").isFalse();

    limits.releaseRequest();
    limits.releaseRequest();
    assertThat(limits.tryAcquireRequest()).as("still 3 in flight").isFalse();
    limits.releaseRequest();
    assertThat(limits.tryAcquireRequest()).isTrue();
    assertThat(limits.activeRequests()).isEqualTo(3);

    limits.onConfigChange(new CircuitBreakers(10, 10, 8, 3));
    for (int i = 0; i < 5; i++) {
      assertThat(limits.tryAcquireRequest()).isTrue();
    }
    assertThat(limits.tryAcquireRequest()).isFalse();
    assertThat(limits.activeRequests()).isEqualTo(8);
  }

  @Test
  void limitsHoldUnderConcurrentCallers() throws Exception {
    ClusterLimits limits = new ClusterLimits(new CircuitBreakers(4, 2, 5, 3));
    assertHolds(limits::tryAcquireRequest, limits::releaseRequest, limits::activeRequests, 5);
    assertHolds(limits::tryAcquireRetry, limits::releaseRetry, limits::activeRetries, 3);
    assertHolds(limits::tryAcquirePending, limits::releasePending, limits::pendingRequests, 2);
    assertHolds(
        limits::tryAcquireConnection, limits::releaseConnection, limits::activeConnections, 4);
  }

  private void assertHolds(BooleanSupplier acquire, Runnable release, IntSupplier active, int limit)
      throws Exception {
    int threads = 8;
    if (pool == null) {
      pool = Executors.newFixedThreadPool(threads);
    }
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    AtomicLong granted = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      futures.add(
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < 20_000; i++) {
                  if (acquire.getAsBoolean()) {
                    granted.incrementAndGet();
                    maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    maxInFlight.accumulateAndGet(active.getAsInt(), Math::max);
                    Thread.onSpinWait();
                    inFlight.decrementAndGet();
                    release.run();
                  }
                }
                return null;
              }));
    }
    start.countDown();
    for (Future<?> f : futures) {
      f.get(30, TimeUnit.SECONDS);
    }

    assertThat(maxInFlight.get()).isBetween(1, limit);
    assertThat(granted.get()).isPositive();
    assertThat(active.getAsInt()).isZero();
  }
}
