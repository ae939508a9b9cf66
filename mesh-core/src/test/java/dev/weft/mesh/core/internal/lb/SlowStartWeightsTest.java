package dev.weft.mesh.core.internal.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.api.config.SlowStart;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SlowStartWeightsTest {
  private static final long SECOND = 1_000_000_000L;
  private static final SlowStart LINEAR = new SlowStart(Duration.ofSeconds(10), 1.0, 10.0);

  @Test
  void disabledOrPastTheWindowIsFullWeight() {
    assertThat(SlowStartWeights.effectiveWeight(100, SlowStart.DISABLED, 0)).isEqualTo(100);
    assertThat(SlowStartWeights.effectiveWeight(100, LINEAR, 10 * SECOND)).isEqualTo(100);
    assertThat(SlowStartWeights.effectiveWeight(100, LINEAR, 60 * SECOND)).isEqualTo(100);
  }

  @Test
  void rampsLinearlyWithAggressionOne() {
    assertThat(SlowStartWeights.effectiveWeight(100, LINEAR, 5 * SECOND)).isEqualTo(50);
    assertThat(SlowStartWeights.effectiveWeight(100, LINEAR, 9 * SECOND)).isEqualTo(90);
  }

  @Test
  void higherAggressionRisesFasterEarly() {
    SlowStart aggressive = new SlowStart(Duration.ofSeconds(10), 2.0, 0.0);
    // (2.5 / 10) ^ (1 / 2) = 0.5
    assertThat(SlowStartWeights.effectiveWeight(100, aggressive, 2_500_000_000L)).isEqualTo(50);
  }

  @Test
  void neverBelowTheMinimumPercentNorBelowOne() {
    assertThat(SlowStartWeights.effectiveWeight(100, LINEAR, 0)).isEqualTo(10);
    assertThat(SlowStartWeights.effectiveWeight(100, LINEAR, -5)).isEqualTo(10);
    assertThat(SlowStartWeights.effectiveWeight(100, LINEAR, SECOND / 2)).isEqualTo(10);
    SlowStart fromZero = new SlowStart(Duration.ofSeconds(10), 1.0, 0.0);
    assertThat(SlowStartWeights.effectiveWeight(1, fromZero, 0)).isEqualTo(1);
    assertThat(SlowStartWeights.effectiveWeight(3, fromZero, 0)).isEqualTo(1);
  }

  @Test
  void rejectsWeightsBelowOne() {
    assertThatThrownBy(() -> SlowStartWeights.effectiveWeight(0, LINEAR, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
