package dev.weft.samples.bookinfo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.config.file.MeshConfigYaml;
import dev.weft.samples.controlplane.XdsForm;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Every BookInfo scenario, served by the control plane, reaches Weft's xDS client as its xDS form.
 */
class ScenariosOverXdsTest {
  static final Scenarios.Ports PORTS = Scenarios.Ports.from(9080);

  @ParameterizedTest
  @FieldSource("dev.weft.samples.bookinfo.Scenarios#NAMES")
  void theScenarioComesBackAsItsXdsForm(String name) {
    MeshConfig config =
        MeshConfigYaml.read(
            Scenarios.render(name, PORTS).getBytes(StandardCharsets.UTF_8), name + ".yaml");

    MeshConfig read = XdsForm.roundTrip(config);

    XdsForm.assertSame(read, XdsForm.expected(config));
    assertThat(read.services())
        .extracting(s -> s.name())
        .contains("productpage", "details", "reviews", "ratings");
  }
}
