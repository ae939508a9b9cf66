package dev.weft.mesh.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.weft.mesh.core.spi.RouteDestination;
import dev.weft.mesh.testing.FakeTicker;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GoldenMetricsTest {
  private static final RouteDestination V1 = new RouteDestination("reviews", "r", "reviews", "v1");
  private static final RouteDestination V2 = new RouteDestination("reviews", "r", "reviews", "v2");

  private final FakeTicker ticker = new FakeTicker();
  private final GoldenMetrics metrics = new GoldenMetrics(ticker, 10);

  @Test
  void ratesAndSuccessWithAndWithoutRetriesOverTheWindow() {
    // 20 calls a second for 10 s; every 5th call fails once and succeeds on its retry, every 10th
    // fails on both attempts.
    for (int i = 0; i < 200; i++) {
      if (i > 0) {
        ticker.advance(Duration.ofMillis(50));
      }
      boolean retried = i % 5 == 0;
      boolean failed = i % 10 == 0;
      metrics.attemptEnded(V1, !retried, 1_000_000);
      if (retried) {
        metrics.attemptEnded(V1, !failed, 1_000_000);
      }
      metrics.callEnded(V1, !failed, 2_000_000, retried ? 2 : 1);
    }

    DestinationStats.Window w = metrics.window(V1);
    assertThat(w.calls()).isEqualTo(200);
    assertThat(w.attempts()).isEqualTo(240);
    assertThat(w.callsPerSecond()).isCloseTo(20.0, within(0.5));
    assertThat(w.successRate()).isCloseTo(0.9, within(1e-9));
    assertThat(w.attemptSuccessRate()).isCloseTo(180 / 240.0, within(1e-9));
    assertThat(metrics.window(V2)).isNull();
  }

  @Test
  void quantilesAreWithinTheHistogramsPrecision() {
    Random random = new Random(42);
    long[] latencies = new long[10_000];
    for (int i = 0; i < latencies.length; i++) {
      // a log-normal-ish spread from about 1 ms to 100 ms
      latencies[i] = (long) (Math.exp(random.nextGaussian() * 0.8 + Math.log(8)) * 1_000_000);
      metrics.callEnded(V1, true, latencies[i], 1);
    }
    java.util.Arrays.sort(latencies);
    double p50 = latencies[latencies.length / 2] / 1e6;
    double p99 = latencies[(int) (latencies.length * 0.99)] / 1e6;

    DestinationStats.Window w = metrics.window(V1);
    assertThat(w.p50Millis()).isCloseTo(p50, within(p50 * 0.125));
    assertThat(w.p99Millis()).isCloseTo(p99, within(p99 * 0.125));
  }

  @Test
  void oldSecondsLeaveTheWindow() {
    for (int i = 0; i < 10; i++) {
      metrics.callEnded(V1, false, 1_000_000, 1);
    }
    ticker.advance(Duration.ofSeconds(5));
    for (int i = 0; i < 10; i++) {
      metrics.callEnded(V1, true, 1_000_000, 1);
    }
    assertThat(metrics.window(V1).calls()).isEqualTo(20);

    ticker.advance(Duration.ofSeconds(6));
    DestinationStats.Window w = metrics.window(V1);
    assertThat(w.calls()).isEqualTo(10);
    assertThat(w.successRate()).isEqualTo(1.0);

    ticker.advance(Duration.ofSeconds(10));
    assertThat(metrics.window(V1).calls()).isZero();
    assertThat(metrics.window(V1).successRate()).isNaN();
    assertThat(metrics.window(V1).p50Millis()).isNaN();
  }

  @Test
  void aRingSlotReusedForANewSecondStartsFromZero() {
    metrics.callEnded(V1, true, 1_000_000, 1);
    ticker.advance(Duration.ofSeconds(10)); // the same slot of the ring, ten seconds later
    metrics.callEnded(V1, false, 1_000_000, 1);

    DestinationStats.Window w = metrics.window(V1);
    assertThat(w.calls()).isEqualTo(1);
    assertThat(w.successRate()).isZero();
  }

  @Test
  void idleDestinationsTheConfigurationDroppedAreForgotten() {
    metrics.callEnded(V1, true, 1_000_000, 1);
    metrics.callEnded(V2, true, 1_000_000, 1);
    metrics.forgetIdleExcept(Set.of(V1));
    assertThat(metrics.destinations()).containsExactlyInAnyOrder(V1, V2); // V2 is not idle yet

    ticker.advance(Duration.ofSeconds(11));
    metrics.forgetIdleExcept(Set.of(V1));
    assertThat(metrics.destinations()).containsExactly(V1);
  }

  @Test
  void histogramBucketsCoverTheirRangeInOrder() {
    int previous = -1;
    for (long nanos = 1_000; nanos < 60_000_000_000L; nanos = nanos * 11 / 10 + 1) {
      int i = LatencyHistogram.index(nanos);
      assertThat(i).isGreaterThanOrEqualTo(previous);
      double mid = LatencyHistogram.midMillis(i);
      assertThat(mid).isCloseTo(nanos / 1e6, within(nanos / 1e6 * 0.125 + 0.002));
      previous = i;
    }
  }
}
