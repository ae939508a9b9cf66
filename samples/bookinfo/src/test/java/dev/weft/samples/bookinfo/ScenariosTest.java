package dev.weft.samples.bookinfo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.discovery.file.MeshConfigYaml;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ScenariosTest {

  @Test
  void everyScenarioIsAValidConfigurationWithTheApplicationsEndpoints() {
    Scenarios.Ports ports = Scenarios.Ports.from(9080);
    for (String name : Scenarios.NAMES) {
      String yaml = Scenarios.render(name, ports);
      MeshConfig config = MeshConfigYaml.read(yaml.getBytes(StandardCharsets.UTF_8), name + ".yaml");
      assertThat(config.cluster("reviews")).as(name).hasValueSatisfying(c -> assertThat(c.endpoints()).hasSize(3));
      assertThat(config.service("productpage")).as(name).isPresent();
      assertThat(yaml).as(name).contains("127.0.0.1:9085");
    }
  }

  @Test
  void anUnknownScenarioIsRefusedWithTheListOfKnownOnes() {
    assertThatThrownBy(() -> Scenarios.render("nope", Scenarios.Ports.from(9080)))
        .hasMessageContaining("unknown scenario 'nope'").hasMessageContaining("jason-v2");
  }

  @Test
  void optionsParse() {
    BookInfo.Options o = BookInfo.Options.parse(new String[] {"--duration", "0", "--base-port", "19080", "--scenario", "all-v3"});
    assertThat(o.duration).isZero();
    assertThat(o.basePort).isEqualTo(19080);
    assertThat(o.scenario).isEqualTo("all-v3");
    BookInfo.Options s = BookInfo.Options.parse(new String[] {"scenario", "jason-v2"});
    assertThat(s.command).isEqualTo("scenario");
    assertThat(s.scenario).isEqualTo("jason-v2");
    assertThat(BookInfo.Options.duration("2m")).hasSeconds(120);
  }
}
