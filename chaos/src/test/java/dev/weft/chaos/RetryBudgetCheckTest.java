package dev.weft.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RetryBudgetCheckTest {

  @Test
  void twentyPercentOfTheCallsPlusTenASecond() {
    RetryBudgetCheck b = RetryBudgetCheck.DEFAULT;
    assertThat(b.allowed(1000, 20)).isEqualTo(400.0);
    assertThat(b.held(400, 1000, 20)).isTrue();
    assertThat(b.held(401, 1000, 20)).isFalse();
    assertThat(b.allowed(0, 0.5)).isEqualTo(5.0);
  }

  @Test
  void theWindowedBoundAlsoCountsTheCallsBeforeThePhase() {
    RetryBudgetCheck b = RetryBudgetCheck.DEFAULT;
    assertThat(b.allowed(1000, 500, 20)).isEqualTo(500.0);
    assertThat(b.allowed(1000, 0, 20)).isEqualTo(b.allowed(1000, 20));
  }

  @Test
  void theWindowedBoundGivesAWholeReserveForEachTtlBegun() {
    RetryBudgetCheck b = RetryBudgetCheck.DEFAULT;
    // 15 s begins two 10 s windows: two reserves of 100, not 150.
    assertThat(b.allowed(0, 0, 15)).isEqualTo(200.0);
    assertThat(b.allowed(0, 0, 10)).isEqualTo(100.0);
    assertThat(b.allowed(100, 50, 45)).isEqualTo(30 + 500.0);
  }

  @Test
  void negativeSettingsAreRefused() {
    assertThatThrownBy(() -> new RetryBudgetCheck(-1, 10))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
