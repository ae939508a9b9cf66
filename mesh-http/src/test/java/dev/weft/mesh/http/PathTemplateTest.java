package dev.weft.mesh.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PathTemplateTest {

  @Test
  void variablesAreEscapedAsOneSegmentEach() {
    PathTemplate t = PathTemplate.parse("/products/{product}/reviews/{id}");
    assertThat(t.variables()).containsExactly("product", "id");
    assertThat(t.expand(Map.of("product", "a/b c?#", "id", "7")))
        .isEqualTo("/products/a%2Fb%20c%3F%23/reviews/7");
  }

  @Test
  void aTemplateMayHaveAQueryAndEscapes() {
    PathTemplate t = PathTemplate.parse("/search%20all?kind={kind}&x=1");
    assertThat(t.hasQuery()).isTrue();
    assertThat(t.expand(Map.of("kind", "."))).isEqualTo("/search%20all?kind=.&x=1");
  }

  @Test
  void textThatNoUriPathMayHoldIsRefusedWithWhereItIs() {
    assertThatThrownBy(() -> PathTemplate.parse("reviews"))
        .hasMessage("a path template that does not start with '/': reviews");
    assertThatThrownBy(() -> PathTemplate.parse("/a b"))
        .hasMessage(
            "a path template with ' ', which a URI path must percent-encode at index 2: /a b");
    assertThatThrownBy(() -> PathTemplate.parse("/a#top"))
        .hasMessageContaining("'#'")
        .hasMessageContaining("index 2");
    assertThatThrownBy(() -> PathTemplate.parse("/caf\u00e9")).hasMessageContaining("U+00E9");
    assertThatThrownBy(() -> PathTemplate.parse("/a%2"))
        .hasMessageContaining("a '%' not followed by two hex digits at index 2");
    assertThatThrownBy(() -> PathTemplate.parse("/a/{id"))
        .hasMessageContaining("a '{' that does not open a {name} variable at index 3");
    assertThatThrownBy(() -> PathTemplate.parse("/a/{}"))
        .hasMessageContaining("a '{' that does not open");
    assertThatThrownBy(() -> PathTemplate.parse("/a/id}"))
        .hasMessageContaining("a '}' that closes no variable at index 5");
  }

  @Test
  void aValueCanNeverMakeItsSegmentADotSegment() {
    PathTemplate t = PathTemplate.parse("/a/.{x}/b");
    assertThat(t.expand(Map.of("x", "y"))).isEqualTo("/a/.y/b");
    assertThatThrownBy(() -> t.expand(Map.of("x", "")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("@Path(\"x\") is '', which would make the request reach another path ('.')");
    assertThatThrownBy(() -> t.expand(Map.of("x", "."))).hasMessageContaining("('..')");
    assertThatThrownBy(() -> PathTemplate.parse("/{x}").expand(Map.of("x", "..")))
        .hasMessageContaining("@Path(\"x\") is '..'");
    // a literal dot segment is the template author's own
    assertThat(PathTemplate.parse("/a/../b").expand(Map.of())).isEqualTo("/a/../b");
  }
}
