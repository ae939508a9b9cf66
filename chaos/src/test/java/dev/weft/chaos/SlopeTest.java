package dev.weft.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SlopeTest {

  @Test
  void aLineGivesItsSlopePerMinute() {
    double[] t = {0, 10, 20, 30};
    assertThat(Slope.perMinute(t, new double[] {5, 6, 7, 8})).isCloseTo(6.0, within(1e-9));
    assertThat(Slope.perMinute(t, new double[] {3, 3, 3, 3})).isCloseTo(0.0, within(1e-9));
  }

  @Test
  void noiseAroundAFlatLineGivesAboutZero() {
    double[] t = {0, 10, 20, 30, 40, 50};
    double[] v = {100, 101, 99, 100, 101, 99};
    assertThat(Slope.perMinute(t, v)).isCloseTo(0.0, within(1.5));
  }

  @Test
  void needsTwoDistinctTimes() {
    assertThatThrownBy(() -> Slope.perMinute(new double[] {1}, new double[] {1}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Slope.perMinute(new double[] {1, 1}, new double[] {1, 2}))
        .hasMessageContaining("equal");
  }
}
