package dev.weft.mesh.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.mesh.api.config.HeaderMatch;
import dev.weft.mesh.api.config.PathMatch;
import dev.weft.mesh.api.config.RouteMatch;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteMatcherTest {

  private static boolean matches(RouteMatch match, TestRequest request) {
    return new RouteMatcher(match).matches(request);
  }

  @Test
  void pathsMatchExactlyByPrefixOrByRegexOverTheWholePath() {
    assertThat(
            matches(
                RouteMatch.path(PathMatch.exact("/reviews")), TestRequest.to("s").path("/reviews")))
        .isTrue();
    assertThat(
            matches(
                RouteMatch.path(PathMatch.exact("/reviews")),
                TestRequest.to("s").path("/reviews/1")))
        .isFalse();
    assertThat(
            matches(
                RouteMatch.path(PathMatch.prefix("/api/")), TestRequest.to("s").path("/api/v1")))
        .isTrue();
    assertThat(
            matches(RouteMatch.path(PathMatch.prefix("/api/")), TestRequest.to("s").path("/apix")))
        .isFalse();
    assertThat(
            matches(
                RouteMatch.path(PathMatch.regex("/v[0-9]+/.*")),
                TestRequest.to("s").path("/v2/books")))
        .isTrue();
    assertThat(
            matches(
                RouteMatch.path(PathMatch.regex("/v[0-9]+")),
                TestRequest.to("s").path("/v2/books")))
        .isFalse();
    assertThat(
            matches(
                RouteMatch.path(PathMatch.regex("/pkg\\.Reviews/.*")),
                TestRequest.to("s").path("/pkg.Reviews/Get")))
        .isTrue();
  }

  @Test
  void pathsCanIgnoreCase() {
    RouteMatch prefix = RouteMatch.path(new PathMatch(PathMatch.Kind.PREFIX, "/API", true));
    assertThat(matches(prefix, TestRequest.to("s").path("/api/x"))).isTrue();
    RouteMatch exact = RouteMatch.path(new PathMatch(PathMatch.Kind.EXACT, "/Reviews", true));
    assertThat(matches(exact, TestRequest.to("s").path("/REVIEWS"))).isTrue();
    assertThat(
            matches(
                RouteMatch.path(PathMatch.exact("/Reviews")), TestRequest.to("s").path("/reviews")))
        .isFalse();
  }

  @Test
  void methodsAreAnyOfTheListed() {
    RouteMatch m = RouteMatch.ANY.withMethods("get", "HEAD");
    assertThat(matches(m, TestRequest.to("s").method("GET"))).isTrue();
    assertThat(matches(m, TestRequest.to("s").method("HEAD"))).isTrue();
    assertThat(matches(m, TestRequest.to("s").method("POST"))).isFalse();
  }

  @Test
  void everyHeaderMatchKindAndInversion() {
    TestRequest r =
        TestRequest.to("s")
            .header("end-user", "Jason")
            .header("x-shard", "7")
            .header("x-version", "build-2026");
    assertThat(matches(RouteMatch.ANY.withHeaders(HeaderMatch.exact("End-User", "Jason")), r))
        .isTrue();
    assertThat(matches(RouteMatch.ANY.withHeaders(HeaderMatch.exact("end-user", "jason")), r))
        .isFalse();
    assertThat(
            matches(
                RouteMatch.ANY.withHeaders(HeaderMatch.exact("end-user", "jason").ignoringCase()),
                r))
        .isTrue();
    assertThat(matches(RouteMatch.ANY.withHeaders(HeaderMatch.prefix("x-version", "build-")), r))
        .isTrue();
    assertThat(matches(RouteMatch.ANY.withHeaders(HeaderMatch.suffix("x-version", "2026")), r))
        .isTrue();
    assertThat(
            matches(
                RouteMatch.ANY.withHeaders(
                    HeaderMatch.suffix("x-version", "a-very-long-suffix-2026")),
                r))
        .isFalse();
    assertThat(matches(RouteMatch.ANY.withHeaders(HeaderMatch.contains("x-version", "ld-20")), r))
        .isTrue();
    assertThat(
            matches(RouteMatch.ANY.withHeaders(HeaderMatch.regex("x-version", "build-\\d{4}")), r))
        .isTrue();
    assertThat(matches(RouteMatch.ANY.withHeaders(HeaderMatch.regex("x-version", "\\d{4}")), r))
        .isFalse();
    assertThat(matches(RouteMatch.ANY.withHeaders(HeaderMatch.present("x-shard")), r)).isTrue();
    assertThat(matches(RouteMatch.ANY.withHeaders(HeaderMatch.absent("x-shard")), r)).isFalse();
    assertThat(matches(RouteMatch.ANY.withHeaders(HeaderMatch.absent("x-debug")), r)).isTrue();
    assertThat(matches(RouteMatch.ANY.withHeaders(HeaderMatch.range("x-shard", 0, 8)), r)).isTrue();
    assertThat(matches(RouteMatch.ANY.withHeaders(HeaderMatch.range("x-shard", 0, 7)), r))
        .isFalse();
    assertThat(matches(RouteMatch.ANY.withHeaders(HeaderMatch.range("x-version", 0, 7)), r))
        .isFalse();
    assertThat(
            matches(RouteMatch.ANY.withHeaders(HeaderMatch.exact("end-user", "ann").inverted()), r))
        .isTrue();
    assertThat(
            matches(
                RouteMatch.ANY.withHeaders(HeaderMatch.exact("end-user", "Jason").inverted()), r))
        .isFalse();
  }

  @Test
  void anAbsentHeaderNeverMatchesAValueConditionEvenInverted() {
    TestRequest r = TestRequest.to("s");
    assertThat(matches(RouteMatch.ANY.withHeaders(HeaderMatch.exact("end-user", "jason")), r))
        .isFalse();
    assertThat(
            matches(
                RouteMatch.ANY.withHeaders(HeaderMatch.exact("end-user", "jason").inverted()), r))
        .isFalse();
  }

  @Test
  void allConditionsMustHold() {
    RouteMatch m =
        new RouteMatch(
            PathMatch.prefix("/reviews"),
            List.of("GET"),
            List.of(HeaderMatch.exact("end-user", "jason")));
    assertThat(
            matches(
                m,
                TestRequest.to("s").path("/reviews/1").method("GET").header("end-user", "jason")))
        .isTrue();
    assertThat(
            matches(
                m,
                TestRequest.to("s").path("/reviews/1").method("PUT").header("end-user", "jason")))
        .isFalse();
    assertThat(
            matches(
                m, TestRequest.to("s").path("/ratings").method("GET").header("end-user", "jason")))
        .isFalse();
    assertThat(matches(m, TestRequest.to("s").path("/reviews/1").method("GET"))).isFalse();
  }
}
