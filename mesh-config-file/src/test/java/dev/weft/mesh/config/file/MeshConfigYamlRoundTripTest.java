package dev.weft.mesh.config.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.testing.config.MeshConfigs;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class MeshConfigYamlRoundTripTest {

  @Property(tries = 200)
  void anyValidConfigReadsBackEqualFromItsYaml(@ForAll("configs") MeshConfig config) {
    String yaml = MeshConfigYaml.write(config);

    MeshConfig read = MeshConfigYaml.read(yaml.getBytes(StandardCharsets.UTF_8), "written.yaml");

    assertThat(read).isEqualTo(config);
  }

  @Property(tries = 25)
  void writingIsCanonical(@ForAll("configs") MeshConfig config) {
    String yaml = MeshConfigYaml.write(config);

    String again =
        MeshConfigYaml.write(
            MeshConfigYaml.read(yaml.getBytes(StandardCharsets.UTF_8), "written.yaml"));

    assertThat(again).isEqualTo(yaml);
  }

  @Property(tries = 150)
  void anyValidConfigWithAuthorizationPoliciesReadsBackEqual(
      @ForAll("configsWithPolicies") MeshConfig config) {
    String yaml = MeshConfigYaml.write(config);

    MeshConfig read = MeshConfigYaml.read(yaml.getBytes(StandardCharsets.UTF_8), "written.yaml");

    assertThat(read).isEqualTo(config);
    assertThat(MeshConfigYaml.write(read)).isEqualTo(yaml);
  }

  @Provide
  Arbitrary<MeshConfig> configsWithPolicies() {
    return MeshConfigs.meshConfigsWithPolicies();
  }

  @Provide
  Arbitrary<MeshConfig> configs() {
    return MeshConfigs.meshConfigs();
  }
}
