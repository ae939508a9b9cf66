package dev.weft.mesh.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.security.AuthorizationPolicy;
import dev.weft.mesh.api.security.AuthorizationPolicy.Action;
import dev.weft.mesh.api.security.AuthorizationPolicy.Condition;
import dev.weft.mesh.api.security.AuthorizationPolicy.Rule;
import dev.weft.mesh.api.security.AuthorizationPolicy.Source;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Policies on the end user: requestPrincipals and the request.auth conditions, as Istio has them.
 */
class RequestPrincipalPolicyTest {
  private static final RequestPrincipal ALICE =
      new RequestPrincipal(
          "https://issuer.test",
          "alice",
          List.of("bookinfo", "ratings"),
          "web-app",
          Map.of("groups", List.of("dev", "ops"), "realm", Map.of("role", "admin"), "level", 3));

  private static Decision decide(Authorizer authorizer, RequestPrincipal user) {
    return authorizer.authorize(
        new AuthorizationRequest(
            Optional.empty(),
            "/api/v1/products",
            "GET",
            RequestHeaders.NONE,
            Optional.ofNullable(user)));
  }

  @Test
  void requestPrincipalsStarRequiresAVerifiedToken() {
    Authorizer requireJwt =
        Authorizer.of(
            List.of(
                AuthorizationPolicy.of(
                    "require-jwt", Action.ALLOW, Rule.from(Source.requestPrincipals("*")))));
    assertThat(decide(requireJwt, ALICE).allowed()).isTrue();
    assertThat(decide(requireJwt, null).allowed()).isFalse();
  }

  @Test
  void requestPrincipalsMatchIssuerSlashSubject() {
    Authorizer onlyAlice =
        Authorizer.of(
            List.of(
                AuthorizationPolicy.of(
                    "alice",
                    Action.ALLOW,
                    Rule.from(Source.requestPrincipals("https://issuer.test/alice")))));
    assertThat(decide(onlyAlice, ALICE).allowed()).isTrue();
    RequestPrincipal bob =
        new RequestPrincipal("https://issuer.test", "bob", List.of(), "", Map.of());
    assertThat(decide(onlyAlice, bob).allowed()).isFalse();
  }

  @Test
  void notRequestPrincipalsStarMatchesRequestsWithoutAToken() {
    Authorizer denyAnonymous =
        Authorizer.of(
            List.of(
                AuthorizationPolicy.of(
                    "deny-anonymous",
                    Action.DENY,
                    Rule.from(
                        new Source(
                            List.of(),
                            List.of(),
                            List.of(),
                            List.of(),
                            List.of(),
                            List.of("*"))))));
    assertThat(decide(denyAnonymous, null).denied()).isTrue();
    assertThat(decide(denyAnonymous, ALICE).allowed()).isTrue();
  }

  @Test
  void claimsAudiencesAndPresenterConditions() {
    assertThat(decide(allowWhen("request.auth.claims[groups]", "ops"), ALICE).allowed()).isTrue();
    assertThat(decide(allowWhen("request.auth.claims[groups]", "sales"), ALICE).allowed())
        .isFalse();
    assertThat(decide(allowWhen("request.auth.claims[realm][role]", "admin"), ALICE).allowed())
        .isTrue();
    assertThat(decide(allowWhen("request.auth.claims[level]", "3"), ALICE).allowed()).isTrue();
    assertThat(decide(allowWhen("request.auth.audiences", "ratings"), ALICE).allowed()).isTrue();
    assertThat(decide(allowWhen("request.auth.presenter", "web-*"), ALICE).allowed()).isTrue();
    assertThat(decide(allowWhen("request.auth.principal", "*/alice"), ALICE).allowed()).isTrue();
    // without a token, a values condition on request.auth never holds
    assertThat(decide(allowWhen("request.auth.claims[groups]", "*"), null).allowed()).isFalse();
  }

  @Test
  void unsupportedKeysAreRefusedWithTheirName() {
    assertThatThrownBy(() -> new Condition("request.auth.claims", List.of("x"), List.of()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("request.auth.claims")
        .hasMessageContaining("not supported");
    assertThatThrownBy(() -> new Condition("request.auth.claims[a]b", List.of("x"), List.of()))
        .hasMessageContaining("not supported");
  }

  private static Authorizer allowWhen(String key, String value) {
    return Authorizer.of(
        List.of(
            AuthorizationPolicy.of(
                "p", Action.ALLOW, Rule.ANY.when(new Condition(key, List.of(value), List.of())))));
  }
}
