package dev.weft.mesh.core.internal.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeakEwmaTest {
  private static final long MS = 1_000_000L;
  private static final long TAU = Duration.ofSeconds(10).toNanos();

  @Test
  void hasNoEstimateBeforeTheFirstObservation() {
    PeakEwma ewma = new PeakEwma();
    assertThat(ewma.get(123)).isZero();
    assertThat(ewma.hasEstimate()).isFalse();
  }

  @Test
  void firstObservationIsTheEstimate() {
    PeakEwma ewma = new PeakEwma();
    ewma.observe(20 * MS, 1_000);
    assertThat(ewma.get(1_000)).isEqualTo(20.0 * MS);
    assertThat(ewma.hasEstimate()).isTrue();
  }

  @Test
  void risesToAPeakAtOnce() {
    PeakEwma ewma = new PeakEwma();
    ewma.observe(10 * MS, 0);
    ewma.observe(500 * MS, 1);
    assertThat(ewma.get(1)).isEqualTo(500.0 * MS);
  }

  @Test
  void fallsTowardFasterResponsesByElapsedTime() {
    PeakEwma ewma = new PeakEwma(Duration.ofSeconds(10));
    ewma.observe(100 * MS, 0);
    ewma.observe(10 * MS, TAU);
    double w = Math.exp(-1);
    assertThat(ewma.get(TAU)).isCloseTo(100.0 * MS * w + 10.0 * MS * (1 - w), within(1.0));

    // Observations close together barely move it.
    PeakEwma quick = new PeakEwma(Duration.ofSeconds(10));
    quick.observe(100 * MS, 0);
    quick.observe(10 * MS, MS);
    assertThat(quick.get(MS)).isGreaterThan(99.0 * MS);
  }

  @Test
  void decaysTowardZeroWithoutObservations() {
    PeakEwma ewma = new PeakEwma(Duration.ofSeconds(10));
    ewma.observe(100 * MS, 5 * MS);
    assertThat(ewma.get(5 * MS + TAU)).isCloseTo(100.0 * MS * Math.exp(-1), within(1.0));
    assertThat(ewma.get(5 * MS + 10 * TAU)).isLessThan(0.01 * MS);
    // Reading does not change the state.
    assertThat(ewma.get(5 * MS)).isEqualTo(100.0 * MS);
  }

  @Test
  void timeGoingBackwardsCountsAsNoTime() {
    PeakEwma ewma = new PeakEwma();
    ewma.observe(50 * MS, 10 * TAU);
    assertThat(ewma.get(0)).isEqualTo(50.0 * MS);
    ewma.observe(10 * MS, 0);
    assertThat(ewma.get(10 * TAU)).isEqualTo(50.0 * MS);
  }

  @Test
  void rejectsNonPositiveDecay() {
    assertThatThrownBy(() -> new PeakEwma(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void concurrentObserversNeverLoseTheStateShape() throws Exception {
    PeakEwma ewma = new PeakEwma();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      long rtt = (t + 1) * 10 * MS;
      Thread thread =
          new Thread(
              () -> {
                for (int i = 0; i < 20_000; i++) {
                  ewma.observe(rtt, i * 1_000L);
                  ewma.get(i * 1_000L);
                }
              });
      thread.start();
      threads.add(thread);
    }
    for (Thread t : threads) {
      t.join(30_000);
    }
    assertThat(ewma.get(20_000 * 1_000L)).isBetween(10.0 * MS, 40.0 * MS);
  }
}
