package dev.weft.mesh.core;

import static dev.weft.mesh.core.CallState.CANCELLING;
import static dev.weft.mesh.core.CallState.COMMITTED;
import static dev.weft.mesh.core.CallState.DELAYED;
import static dev.weft.mesh.core.CallState.DONE;
import static dev.weft.mesh.core.CallState.NEW;
import static dev.weft.mesh.core.CallState.RUNNING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CallStateTest {
  private static final Map<CallState, Set<CallState>> LEGAL =
      Map.of(
          NEW, EnumSet.of(DELAYED, RUNNING, DONE),
          DELAYED, EnumSet.of(RUNNING, DONE),
          RUNNING, EnumSet.of(COMMITTED, CANCELLING, DONE),
          COMMITTED, EnumSet.of(CANCELLING, DONE),
          CANCELLING, EnumSet.of(DONE),
          DONE, EnumSet.noneOf(CallState.class));

  @Test
  void exactlyTheDiagramsChangesAreAllowedAndEveryOtherOneThrows() {
    for (CallState from : CallState.values()) {
      for (CallState to : CallState.values()) {
        if (LEGAL.get(from).contains(to)) {
          assertThat(from.moveTo(to)).isEqualTo(to);
        } else {
          assertThatThrownBy(() -> from.moveTo(to))
              .as("%s to %s", from, to)
              .isInstanceOf(IllegalStateException.class)
              .hasMessageContaining(from + " to " + to);
        }
      }
    }
  }

  @Test
  void onlyAnAdmittedCallThatHasNotEndedHoldsARequestPermit() {
    assertThat(EnumSet.allOf(CallState.class).stream().filter(CallState::admitted))
        .containsExactlyInAnyOrder(RUNNING, COMMITTED, CANCELLING);
  }
}
