package dev.weft.mesh.core.internal.lb;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PriorityLoadTest {

  /** Envoy's table for two levels with P=1 fully healthy. */
  @ParameterizedTest(name = "{0}% of P0 healthy -> {1}/{2}")
  @CsvSource({"100, 100, 0", "72, 100, 0", "71, 99, 1", "50, 70, 30", "25, 35, 65", "0, 0, 100"})
  void spillsToTheNextLevel(int healthyPercent, int p0, int p1) {
    PriorityLoad load =
        PriorityLoad.compute(new int[] {100, 100}, new int[] {healthyPercent, 100}, 140, 50);
    assertThat(load.load()).containsExactly(p0, p1);
    assertThat(load.panic()).containsExactly(false, false);
    assertThat(load.usable()).isTrue();
  }

  @Test
  void threeLevels() {
    PriorityLoad load = PriorityLoad.compute(new int[] {10, 10, 10}, new int[] {2, 2, 10}, 140, 50);
    assertThat(load.health()).containsExactly(28, 28, 100);
    assertThat(load.load()).containsExactly(28, 28, 44);
  }

  @Test
  void normalizesWhenTheLevelsTogetherAreUnderOneHundred() {
    PriorityLoad load = PriorityLoad.compute(new int[] {10, 10}, new int[] {2, 2}, 140, 0);
    assertThat(load.load()).containsExactly(50, 50);
    assertThat(load.panic()).containsExactly(false, false);
  }

  @Test
  void levelBelowThePanicThresholdPanicsOnlyWhenTotalHealthIsShort() {
    // P0 at 40% healthy (health 56), P1 fully healthy: total 100%, so no panic.
    PriorityLoad healthyEnough =
        PriorityLoad.compute(new int[] {10, 10}, new int[] {4, 10}, 140, 50);
    assertThat(healthyEnough.load()).containsExactly(56, 44);
    assertThat(healthyEnough.panic()).containsExactly(false, false);

    // P0 at 40%, P1 at 20%: total 84%; P0 and P1 are both under 50%, so all in panic: split by
    // count.
    PriorityLoad short1 = PriorityLoad.compute(new int[] {10, 30}, new int[] {4, 6}, 140, 50);
    assertThat(short1.panic()).containsExactly(true, true);
    assertThat(short1.load()).containsExactly(25, 75);

    // P0 at 30% (panic), P1 at 60% (not): total 42 + 84 capped at 100: no panic at all.
    PriorityLoad short2 = PriorityLoad.compute(new int[] {10, 10}, new int[] {3, 6}, 140, 50);
    assertThat(short2.panic()).containsExactly(false, false);

    // One level at 25%: health 35, normalized to 100% of the load, and in panic.
    PriorityLoad single = PriorityLoad.compute(new int[] {4}, new int[] {1}, 140, 50);
    assertThat(single.load()).containsExactly(100);
    assertThat(single.panic()).containsExactly(true);
  }

  @Test
  void nothingHealthy() {
    PriorityLoad panic = PriorityLoad.compute(new int[] {2, 6}, new int[] {0, 0}, 140, 50);
    assertThat(panic.usable()).isTrue();
    assertThat(panic.panic()).containsExactly(true, true);
    assertThat(panic.load()).containsExactly(25, 75);

    PriorityLoad noPanic = PriorityLoad.compute(new int[] {2, 6}, new int[] {0, 0}, 140, 0);
    assertThat(noPanic.usable()).isFalse();
  }

  @Test
  void roundingLeftoversGoToTheFirstHealthyLevel() {
    PriorityLoad load = PriorityLoad.compute(new int[] {3, 3, 3}, new int[] {0, 1, 1}, 100, 0);
    // Health 0, 33, 33: normalized 66; 33 * 100 / 66 = 50 each.
    assertThat(load.load()).containsExactly(0, 50, 50);
    PriorityLoad odd = PriorityLoad.compute(new int[] {7, 7}, new int[] {1, 1}, 100, 0);
    // Health 14 and 14: 50 and 50.
    assertThat(odd.load()).containsExactly(50, 50);
    PriorityLoad three = PriorityLoad.compute(new int[] {3, 3, 3}, new int[] {1, 1, 1}, 100, 0);
    // Health 33 each: 33 * 100 / 99 = 33 each, the leftover 1 to P0.
    assertThat(three.load()).containsExactly(34, 33, 33);
  }
}
