package dev.weft.mesh.security.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SafeTextTest {
  @Test
  void escapesWhatCouldEndOrForgeALogLine() {
    assertThat(SafeText.escape("a\r\nb\tc")).isEqualTo("a\\r\\nb\\tc");
    assertThat(SafeText.escape("nel\u0085esc\u001b[0mdel\u007f"))
        .isEqualTo("nel\\u0085esc\\u001b[0mdel\\u007f");
    assertThat(SafeText.escape("ls\u2028ps\u2029")).isEqualTo("ls\\u2028ps\\u2029");
    assertThat(SafeText.escape("bidi\u202eevil")).isEqualTo("bidi\\u202eevil");
    assertThat(SafeText.quote("it's \"q\" \\")).isEqualTo("'it\\'s \\\"q\\\" \\\\'");
  }

  @Test
  void keepsOrdinaryTextAsIs() {
    String name = "CN=reviews,O=Weft développement 日本 \uD83D\uDE00";
    assertThat(SafeText.escape(name)).isSameAs(name);
    assertThat(SafeText.escape(null)).isEqualTo("null");
    assertThat(SafeText.escape("lone \uD800 surrogate")).isEqualTo("lone \\ud800 surrogate");
  }
}
