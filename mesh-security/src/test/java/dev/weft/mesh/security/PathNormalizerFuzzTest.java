package dev.weft.mesh.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes {@link PathNormalizer#normalize} with the defaults, which every authorization decision
 * reads a request's path through: only {@link PathNormalizer.RejectedPathException} escapes, and a
 * normalized path starts with {@code /}, holds no {@code //} and no {@code .} or {@code ..}
 * segment, and normalizes to itself. The seeds in {@code PathNormalizerFuzzTestInputs} run as
 * regression tests; see {@code docs/fuzzing.md}.
 */
class PathNormalizerFuzzTest {
  private static final PathNormalizer NORMALIZER = PathNormalizer.defaults();

  @FuzzTest(maxDuration = "1m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void normalize(byte[] input) {
    String raw = new String(input, StandardCharsets.UTF_8);
    PathNormalizer.decode(raw); // never throws, whatever the escapes
    String normalized;
    try {
      normalized = NORMALIZER.normalize(raw);
    } catch (PathNormalizer.RejectedPathException rejected) {
      assertThat(rejected.getMessage()).isNotBlank();
      return;
    }
    assertThat(normalized).startsWith("/").doesNotContain("//").doesNotContain("?");
    for (String segment : normalized.substring(1).split("/", -1)) {
      assertThat(segment).as("a segment of %s", normalized).isNotIn(".", "..");
    }
    assertThat(NORMALIZER.normalize(normalized))
        .as("normalizing %s again", normalized)
        .isEqualTo(normalized);
  }
}
