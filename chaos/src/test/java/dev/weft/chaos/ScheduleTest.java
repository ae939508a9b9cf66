package dev.weft.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ScheduleTest {

  @Test
  void theDefaultRunsEveryFaultInUnderTenMinutesWithStartUp() {
    Schedule s = Schedule.parse(Schedule.DEFAULT);
    assertThat(s.phases()).extracting(Schedule.Phase::kind).contains(Schedule.Kind.values());
    // set-up (~30 s) and the longest warm-up come on top
    assertThat(s.total().plus(ChaosRun.WARM_UP).plusSeconds(60)).isLessThan(Duration.ofMinutes(10));
    assertThat(s.phases())
        .filteredOn(p -> p.kind() == Schedule.Kind.OUTAGE)
        .singleElement()
        .satisfies(
            p -> assertThat(p.duration().minusSeconds(15)).isEqualTo(Duration.ofSeconds(30)));
  }

  @Test
  void phasesAreKindColonDuration() {
    Schedule s = Schedule.parse(" baseline:250ms, kill:2s ,churn:1m");
    assertThat(s.phases())
        .containsExactly(
            new Schedule.Phase(Schedule.Kind.BASELINE, Duration.ofMillis(250)),
            new Schedule.Phase(Schedule.Kind.KILL, Duration.ofSeconds(2)),
            new Schedule.Phase(Schedule.Kind.CHURN, Duration.ofMinutes(1)));
    assertThat(s.total()).isEqualTo(Duration.ofMillis(62_250));
    assertThat(Schedule.parse(Schedule.SOAK_CYCLE).phases()).hasSize(6);
  }

  @Test
  void mistakesAreNamed() {
    assertThatThrownBy(() -> Schedule.parse("nap:20s"))
        .hasMessageContaining("unknown phase 'nap'")
        .hasMessageContaining("all-fail");
    assertThatThrownBy(() -> Schedule.parse("baseline"))
        .hasMessageContaining("phase 'baseline': expected kind:duration");
    assertThatThrownBy(() -> Schedule.parse("kill:20"))
        .hasMessageContaining("duration '20': unit must be ms, s or m");
    assertThatThrownBy(() -> Schedule.parse("kill:0s")).hasMessageContaining("must be above 0");
    assertThatThrownBy(() -> Schedule.parse("kill:-1s"))
        .hasMessageContaining("expected a whole number");
    assertThatThrownBy(() -> Schedule.parse("outage:10s"))
        .hasMessageContaining("an outage phase needs at least 20s");
    assertThatThrownBy(() -> Schedule.parse(" , ")).hasMessageContaining("at least one phase");
  }
}
