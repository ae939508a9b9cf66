package dev.weft.mesh.config.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.security.RequestAuthentication;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RequestAuthenticationYamlTest {
  /** Istio's RequestAuthentication and a policy requiring a token, pasted in Istio's layout. */
  private static final String JWT =
      """
      requestAuthentications:
        - name: productpage-jwt
          services: [productpage]
          jwtRules:
            - issuer: "testing@secure.istio.io"
              audiences: [bookinfo]
              jwksUri: "https://127.0.0.1:8443/jwks.json"
              fromHeaders: [{name: x-jwt-assertion, prefix: "Bearer "}]
              fromParams: [token]
              outputClaimToHeaders: [{header: x-jwt-group, claim: groups}]
              clockSkew: 30s
      authorizationPolicies:
        - name: require-jwt
          services: [productpage]
          action: allow
          rules:
            - from:
                - source:
                    requestPrincipals: ["testing@secure.istio.io/*"]
              when:
                - {key: "request.auth.claims[groups]", values: [group1]}
      """;

  private static MeshConfig read(String yaml) {
    return MeshConfigYaml.read(yaml.getBytes(StandardCharsets.UTF_8), "mesh.yaml");
  }

  @Test
  void requestAuthenticationsReadIntoTheModelAndRoundTrip() {
    MeshConfig config = read(JWT);
    RequestAuthentication ra = config.requestAuthentications().get(0);
    assertThat(ra.name()).isEqualTo("productpage-jwt");
    assertThat(ra.appliesTo("productpage")).isTrue();
    assertThat(ra.appliesTo("reviews")).isFalse();
    RequestAuthentication.JwtRule rule = ra.jwtRules().get(0);
    assertThat(rule.issuer()).isEqualTo("testing@secure.istio.io");
    assertThat(rule.audiences()).containsExactly("bookinfo");
    assertThat(rule.tokenHeaders())
        .containsExactly(new RequestAuthentication.JwtHeader("x-jwt-assertion", "Bearer "));
    assertThat(rule.tokenParams()).containsExactly("token");
    assertThat(rule.outputClaimToHeaders())
        .containsExactly(new RequestAuthentication.ClaimToHeader("x-jwt-group", "groups"));
    assertThat(rule.clockSkew()).isEqualTo(Duration.ofSeconds(30));
    assertThat(rule.jwksCacheDuration())
        .isEqualTo(RequestAuthentication.JwtRule.DEFAULT_JWKS_CACHE_DURATION);
    assertThat(
            config.authorizationPolicies().get(0).rules().get(0).from().get(0).requestPrincipals())
        .containsExactly("testing@secure.istio.io/*");

    MeshConfig again = read(MeshConfigYaml.write(config));
    assertThat(again.requestAuthentications()).isEqualTo(config.requestAuthentications());
    assertThat(again.authorizationPolicies()).isEqualTo(config.authorizationPolicies());
  }

  @Test
  void aBadRuleIsRefusedWithItsPath() {
    String bad =
        """
        requestAuthentications:
          - name: jwt
            jwtRules:
              - issuer: a
                jwksUri: "ftp://keys.test/jwks"
        """;
    assertThatThrownBy(() -> read(bad))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("requestAuthentications[0].jwtRules[0].jwksUri")
        .hasMessageContaining("https");
    String neither =
        """
        requestAuthentications:
          - name: jwt
            jwtRules:
              - issuer: a
        """;
    assertThatThrownBy(() -> read(neither)).hasMessageContaining("exactly one of jwksUri and jwks");
  }
}
