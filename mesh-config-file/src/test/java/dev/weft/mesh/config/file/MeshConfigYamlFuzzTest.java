package dev.weft.mesh.config.file;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.config.MeshConfig;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes {@link MeshConfigYaml#read(byte[], String)}, which reads operators' files: only {@link
 * InvalidConfigException} escapes, with located violations, and an accepted file round-trips
 * ({@link MeshConfigYaml#write} then read gives an equal configuration, and writing that again
 * gives the same text). The seeds in {@code MeshConfigYamlFuzzTestInputs} run as regression tests;
 * see {@code docs/fuzzing.md}.
 */
class MeshConfigYamlFuzzTest {

  @FuzzTest(maxDuration = "1m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void read(byte[] content) {
    MeshConfig config;
    try {
      config = MeshConfigYaml.read(content, "fuzz.yaml");
    } catch (InvalidConfigException e) {
      assertThat(e.violations())
          .isNotEmpty()
          .allSatisfy(v -> assertThat(v.location()).startsWith("fuzz.yaml"));
      return;
    }
    String written = MeshConfigYaml.write(config);
    MeshConfig reread =
        MeshConfigYaml.read(written.getBytes(StandardCharsets.UTF_8), "written.yaml");
    assertThat(reread).isEqualTo(config);
    assertThat(MeshConfigYaml.write(reread)).isEqualTo(written);
  }
}
