package dev.weft.mesh.api.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MatchPatternTest {

  @Test
  void readsTheFourFormsAndMatchesAsIstioDoes() {
    assertThat(MatchPattern.parse("/api").matches("/api")).isTrue();
    assertThat(MatchPattern.parse("/api").matches("/api/x")).isFalse();
    assertThat(MatchPattern.parse("/api/*").matches("/api/x")).isTrue();
    assertThat(MatchPattern.parse("/api/*").matches("/apix")).isFalse();
    assertThat(MatchPattern.parse("*.local").matches("a.local")).isTrue();
    assertThat(MatchPattern.parse("*.local").matches("a.localx")).isFalse();
    assertThat(MatchPattern.parse("*").matches("x")).isTrue();
    assertThat(MatchPattern.parse("*").matches("")).isFalse();
    assertThat(MatchPattern.parse("/api/*").kind()).isEqualTo(MatchPattern.Kind.PREFIX);
    assertThat(MatchPattern.parse("/api/*").text()).isEqualTo("/api/");
  }

  @Test
  void writesBackWhatItRead() {
    for (String p : new String[] {"exact", "pre*", "*suf", "*"}) {
      assertThat(MatchPattern.parse(p)).hasToString(p).isEqualTo(MatchPattern.parse(p));
    }
    assertThat(MatchPattern.prefix("/a")).isEqualTo(MatchPattern.parse("/a*"));
    assertThat(MatchPattern.suffix("b")).isEqualTo(MatchPattern.parse("*b"));
    assertThat(MatchPattern.prefix("")).isEqualTo(MatchPattern.present());
    assertThat(MatchPattern.exact("x")).isEqualTo(MatchPattern.parse("x"));
  }

  @Test
  void refusesMalformedPatternsSayingWhy() {
    assertThat(MatchPattern.problem(null)).isEqualTo("must not be null");
    assertThat(MatchPattern.problem("")).isEqualTo("must not be empty");
    assertThat(MatchPattern.problem("a*b")).contains("may only have one '*'");
    assertThat(MatchPattern.problem("**")).contains("may only have one '*'");
    assertThat(MatchPattern.problem("*a*")).contains("may only have one '*'");
    assertThatThrownBy(() -> MatchPattern.parse("a*b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MatchPattern.prefix("a*")).hasMessageContaining("holds '*'");
    assertThatThrownBy(() -> MatchPattern.exact("")).hasMessageContaining("must not be empty");
  }
}
