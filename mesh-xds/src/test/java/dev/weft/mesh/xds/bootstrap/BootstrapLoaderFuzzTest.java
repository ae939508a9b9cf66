package dev.weft.mesh.xds.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.weft.mesh.api.config.InvalidConfigException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes {@link BootstrapLoader#parse}, which reads the gRPC xDS bootstrap an operator or Istio's
 * injector writes: only {@link InvalidConfigException}, with violations, escapes; an accepted
 * bootstrap parses again to an equal one. The seeds in {@code BootstrapLoaderFuzzTestInputs} run as
 * regression tests; see {@code docs/fuzzing.md}.
 */
class BootstrapLoaderFuzzTest {

  @FuzzTest(maxDuration = "1m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void parse(byte[] input) {
    String json = new String(input, StandardCharsets.UTF_8);
    Bootstrap bootstrap;
    try {
      bootstrap = BootstrapLoader.parse(json, "fuzz.json");
    } catch (InvalidConfigException e) {
      assertThat(e.violations()).isNotEmpty();
      return;
    }
    assertThat(BootstrapLoader.parse(json, "again.json")).isEqualTo(bootstrap);
  }
}
