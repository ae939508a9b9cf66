package dev.weft.mesh.api.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.api.config.ConfigViolation;
import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.security.AuthorizationPolicy.Action;
import dev.weft.mesh.api.security.AuthorizationPolicy.Condition;
import dev.weft.mesh.api.security.AuthorizationPolicy.Operation;
import dev.weft.mesh.api.security.AuthorizationPolicy.Rule;
import dev.weft.mesh.api.security.AuthorizationPolicy.Source;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuthorizationPolicyTest {

  private static List<String> paths(Throwable e) {
    return ((InvalidConfigException) e).violations().stream().map(ConfigViolation::path).toList();
  }

  @Test
  void buildsAPolicyWithTheShortcuts() {
    AuthorizationPolicy p =
        AuthorizationPolicy.of(
                "reviews-viewer",
                Action.ALLOW,
                Rule.from(Source.principals("spiffe://weft.test/ns/default/sa/productpage"))
                    .to(Operation.methods("GET"))
                    .when(Condition.header("X-User", "jason")))
            .forServices("reviews");
    assertThat(p.appliesTo("reviews")).isTrue();
    assertThat(p.appliesTo("ratings")).isFalse();
    assertThat(p.rules().get(0).when().get(0).headerName()).isEqualTo("x-user");
    assertThat(AuthorizationPolicy.of("all", Action.DENY).appliesTo("anything")).isTrue();
  }

  @Test
  void reportsEveryProblemOfAPolicyWithItsPath() {
    assertThatThrownBy(
            () ->
                new AuthorizationPolicy(
                    "bad name",
                    Arrays.asList("reviews", "reviews", null),
                    null,
                    Arrays.asList(Rule.ANY, null)))
        .isInstanceOf(InvalidConfigException.class)
        .satisfies(
            e ->
                assertThat(paths(e))
                    .containsExactly("name", "services[2]", "services[1]", "action", "rules[1]"));
  }

  @Test
  void acceptsOnlyIstioMatchStrings() {
    assertThat(
            Source.principals(
                    "*", "weft.test/*", "*/sa/productpage", "spiffe://weft.test/ns/default/sa/x")
                .principals())
        .hasSize(4);
    assertThatThrownBy(() -> Source.principals("a*b", "**", ""))
        .satisfies(
            e ->
                assertThat(paths(e))
                    .containsExactly("principals[0]", "principals[1]", "principals[2]"))
        .hasMessageContaining(
            "may only have one '*', at the start (suffix match) or the end (prefix match)")
        .hasMessageContaining("must not be empty");
    assertThatThrownBy(() -> Operation.paths("/a/*/b")).hasMessageContaining("paths[0]");
  }

  @Test
  void sourcesAndOperationsMustSaySomething() {
    assertThatThrownBy(() -> new Source(List.of(), null, null, List.of()))
        .hasMessageContaining("a source needs at least one of");
    assertThatThrownBy(() -> new Operation(null, null, null, null))
        .hasMessageContaining("an operation needs at least one of");
  }

  @Test
  void conditionsUseSupportedKeysAndNeedValues() {
    assertThat(new Condition("source.namespace", List.of("default"), List.of()).headerName())
        .isNull();
    assertThat(new Condition("request.headers[x-token]", List.of(), List.of("*")).headerName())
        .isEqualTo("x-token");
    assertThat(new Condition("request.auth.claims[iss]", List.of("x"), List.of()).claimPath())
        .containsExactly("iss");
    assertThatThrownBy(() -> new Condition("request.auth.claim[iss]", List.of("x"), List.of()))
        .hasMessageContaining(
            "'request.auth.claim[iss]' is not supported; supported keys: [request.headers[NAME],"
                + " source.principal, source.namespace, request.auth.principal,"
                + " request.auth.audiences, request.auth.presenter, request.auth.claims[NAME]]");
    assertThatThrownBy(() -> new Condition("request.headers[]", List.of("x"), List.of()))
        .hasMessageContaining("not supported");
    assertThatThrownBy(() -> new Condition("source.principal", List.of(), List.of()))
        .hasMessageContaining("needs values or notValues");
  }
}
