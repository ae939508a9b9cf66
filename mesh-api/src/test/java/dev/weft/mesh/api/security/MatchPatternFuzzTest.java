package dev.weft.mesh.api.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes {@link MatchPattern#parse}, which reads the match strings of authorization policies: only
 * {@link IllegalArgumentException} escapes, {@link MatchPattern#problem} agrees with it, and an
 * accepted pattern is its own written form and matches what its kind says.
 */
class MatchPatternFuzzTest {

  @FuzzTest(maxDuration = "1m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void parse(byte[] input) {
    String raw = new String(input, StandardCharsets.UTF_8);
    String problem = MatchPattern.problem(raw);
    MatchPattern pattern;
    try {
      pattern = MatchPattern.parse(raw);
    } catch (IllegalArgumentException rejected) {
      assertThat(problem).as("problem() for a rejected pattern").isNotNull();
      assertThat(rejected).hasMessage(problem);
      return;
    }
    assertThat(problem).as("problem() for an accepted pattern").isNull();
    assertThat(pattern.toString()).isEqualTo(raw);
    assertThat(MatchPattern.parse(pattern.toString()))
        .isEqualTo(pattern)
        .hasSameHashCodeAs(pattern);
    MatchPattern rebuilt =
        switch (pattern.kind()) {
          case EXACT -> MatchPattern.exact(pattern.text());
          case PREFIX -> MatchPattern.prefix(pattern.text());
          case SUFFIX -> MatchPattern.suffix(pattern.text());
          case PRESENT -> MatchPattern.present();
        };
    assertThat(rebuilt).isEqualTo(pattern);
    String sample =
        switch (pattern.kind()) {
          case EXACT -> pattern.text();
          case PREFIX -> pattern.text() + "x";
          case SUFFIX -> "x" + pattern.text();
          case PRESENT -> "x";
        };
    assertThat(pattern.matches(sample)).as("matches %s", sample).isTrue();
    assertThat(pattern.matches(""))
        .as("matches the empty value")
        .isEqualTo(pattern.text().isEmpty() && pattern.kind() != MatchPattern.Kind.PRESENT);
  }
}
