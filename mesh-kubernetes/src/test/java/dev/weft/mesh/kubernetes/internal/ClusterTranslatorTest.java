package dev.weft.mesh.kubernetes.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import org.junit.jupiter.api.Test;

class ClusterTranslatorTest {
  private static int priority(Boolean ready, Boolean serving, Boolean terminating) {
    return ClusterTranslator.priority(new EndpointConditions(ready, serving, terminating));
  }

  @Test
  void conditionsDecideWhetherAndWhenAnEndpointTakesCalls() {
    assertThat(priority(true, true, false)).isZero();
    assertThat(priority(null, null, null)).isZero();
    assertThat(ClusterTranslator.priority(null)).isZero();
    assertThat(priority(false, true, true)).as("serving but terminating").isEqualTo(1);
    assertThat(priority(false, false, true)).as("terminating, no longer serving").isEqualTo(-1);
    assertThat(priority(false, false, false)).as("not ready").isEqualTo(-1);
  }
}
