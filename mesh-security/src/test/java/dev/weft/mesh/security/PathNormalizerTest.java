package dev.weft.mesh.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.api.security.PathNormalization;
import dev.weft.mesh.api.security.PathNormalization.EscapedSlashes;
import dev.weft.mesh.security.PathNormalizer.RejectedPathException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class PathNormalizerTest {
  private final PathNormalizer normalizer = PathNormalizer.defaults();

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "/admin               | /admin",
        "/%61dmin             | /admin",
        "/%41DMIN             | /ADMIN",
        "/a/%2e%2e/admin      | /admin",
        "/a/%2E%2E/admin      | /admin",
        "/a/../admin          | /admin",
        "/./admin             | /admin",
        "/a/./b/.             | /a/b/",
        "/a/b/..              | /a/",
        "/../../admin         | /admin",
        "//admin              | /admin",
        "/a//../b             | /b",
        "/admin/              | /admin/",
        "/x?y=/../admin       | /x",
        "/caf%c3%a9           | /caf%C3%A9",
        "/a%3bb               | /a%3Bb",
        "/a;jsessionid=1      | /a;jsessionid=1",
        "/~user%7E            | /~user~",
        "/                    | /",
        "/..                  | /",
      })
  void normalizesAsServersRoute(String raw, String expected) {
    assertThat(normalizer.normalize(raw)).isEqualTo(expected);
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of("/a%2Fb", "'%2F' at index 2"),
        Arguments.of("/a%2fb", "'%2F' at index 2"),
        Arguments.of("/a%5Cb", "'%5C' at index 2"),
        Arguments.of("/a\\b", "'\\' at index 2"),
        Arguments.of("/a%00b", "encoded NUL byte (%00) at index 2"),
        Arguments.of("/a%zzb", "invalid percent-encoding at index 2"),
        Arguments.of("/a%4", "invalid percent-encoding at index 2"),
        Arguments.of("/a b", "a space at index 2"),
        Arguments.of("/a#b", "a fragment ('#') at index 2"),
        Arguments.of("admin", "must start with '/'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void refusesWhatServersReadDifferently(String raw, String reason) {
    assertThatThrownBy(() -> normalizer.normalize(raw))
        .isInstanceOf(RejectedPathException.class)
        .hasMessageContaining(reason);
  }

  @Test
  void refusesALiteralBackslashByDefault() {
    assertThatThrownBy(() -> normalizer.normalize("/a\\b"))
        .isInstanceOf(RejectedPathException.class)
        .hasMessageContaining("'\\' at index 2");
  }

  @Test
  void refusesNulControlAndNonAsciiCharactersAndKeepsTheMessageOnOneLine() {
    assertThatThrownBy(() -> normalizer.normalize("/a\u0000b"))
        .hasMessageContaining("a NUL byte at index 2");
    assertThatThrownBy(() -> normalizer.normalize("/a\r\nX-Evil: 1"))
        .hasMessageContaining("control character (0x0D)")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\r").doesNotContain("\n"));
    assertThatThrownBy(() -> normalizer.normalize("/caf\u00e9"))
        .hasMessageContaining("non-ASCII character (U+00E9)");
  }

  @Test
  void escapedSlashesCanBeKeptOrUnescaped() {
    PathNormalizer keep = PathNormalizer.of(new PathNormalization(true, EscapedSlashes.KEEP));
    assertThat(keep.normalize("/a%2fb/%5c")).isEqualTo("/a%2Fb/%5C");
    assertThat(keep.normalize("/a\\b")).isEqualTo("/a\\b");
    PathNormalizer unescape =
        PathNormalizer.of(new PathNormalization(true, EscapedSlashes.UNESCAPE));
    assertThat(unescape.normalize("/a%2F%2Fadmin")).isEqualTo("/a/admin");
    assertThat(unescape.normalize("/x%2F..%2Fadmin")).isEqualTo("/admin");
    assertThat(unescape.normalize("/x\\..\\admin")).isEqualTo("/admin");
  }

  @Test
  void slashesStayWhenMergingIsOff() {
    PathNormalizer noMerge = PathNormalizer.of(new PathNormalization(false, EscapedSlashes.REJECT));
    assertThat(noMerge.normalize("//admin")).isEqualTo("//admin");
    assertThat(noMerge.normalize("/a//../b")).isEqualTo("/a/b");
  }

  @Test
  void aNormalPathIsReturnedAsItIs() {
    String path = "/reviews/1";
    assertThat(normalizer.normalize(path)).isSameAs(path);
  }
}
