package dev.weft.mesh.config.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.security.AuthorizationPolicy;
import dev.weft.mesh.api.security.PathNormalization;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AuthorizationPoliciesYamlTest {
  private static final String POLICIES =
      """
      clusters:
        reviews:
          endpoints: [{address: 127.0.0.1:9082}]
      authorizationPolicies:
        - name: reviews-viewer
          services: [reviews]
          action: allow
          rules:
            - from:
                - principals: ["spiffe://weft.test/ns/default/sa/productpage"]
              to:
                - methods: [GET]
                  paths: ["/reviews*", "/bookinfo.Reviews/*"]
              when:
                - {key: "request.headers[x-user]", values: [jason]}
        - name: no-admin
          action: deny
          rules:
            - to:
                - paths: ["/admin*"]
      """;

  private static MeshConfig read(String yaml) {
    return MeshConfigYaml.read(yaml.getBytes(StandardCharsets.UTF_8), "mesh.yaml");
  }

  @Test
  void policiesReadIntoTheModel() {
    MeshConfig config = read(POLICIES);
    assertThat(config.authorizationPolicies()).hasSize(2);
    AuthorizationPolicy viewer = config.authorizationPolicies().get(0);
    assertThat(viewer.name()).isEqualTo("reviews-viewer");
    assertThat(viewer.services()).containsExactly("reviews");
    assertThat(viewer.action()).isEqualTo(AuthorizationPolicy.Action.ALLOW);
    AuthorizationPolicy.Rule rule = viewer.rules().get(0);
    assertThat(rule.from().get(0).principals())
        .containsExactly("spiffe://weft.test/ns/default/sa/productpage");
    assertThat(rule.to().get(0).paths()).containsExactly("/reviews*", "/bookinfo.Reviews/*");
    assertThat(rule.to().get(0).methods()).containsExactly("GET");
    assertThat(rule.when().get(0).key()).isEqualTo("request.headers[x-user]");
    assertThat(config.authorizationPolicies().get(1).action())
        .isEqualTo(AuthorizationPolicy.Action.DENY);
  }

  @Test
  void policiesWriteAndReadBackEqual() {
    MeshConfig config = read(POLICIES);
    assertThat(read(MeshConfigYaml.write(config))).isEqualTo(config);
  }

  @Test
  void aBadPolicyIsReportedWhereItIs() {
    String broken =
        POLICIES
            .replace("action: allow", "action: allw")
            .replace("- paths: [\"/admin*\"]", "- {paths: [\"/admin*\"], colour: red}");
    assertThatThrownBy(() -> read(broken))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("mesh.yaml:7:5: authorizationPolicies[0].action")
        .hasMessageContaining("mesh.yaml:20:34: authorizationPolicies[1].rules[0].to[0].colour")
        .hasMessageContaining("authorizationPolicies[0].action")
        .hasMessageContaining("allow")
        .hasMessageContaining("colour");
  }

  /**
   * The first policy of {@link #POLICIES} in Istio's layout, with {@code source:} and {@code
   * operation:} keys.
   */
  private static final String ISTIO_LAYOUT =
      """
      clusters:
        reviews:
          endpoints: [{address: 127.0.0.1:9082}]
      authorizationPolicies:
        - name: reviews-viewer
          services: [reviews]
          action: allow
          rules:
            - from:
                - source:
                    principals: ["spiffe://weft.test/ns/default/sa/productpage"]
              to:
                - operation:
                    methods: [GET]
                    paths: ["/reviews*", "/bookinfo.Reviews/*"]
              when:
                - {key: "request.headers[x-user]", values: [jason]}
      """;

  @Test
  void istioRulesWithSourceAndOperationKeysPasteInUnchanged() {
    assertThat(read(ISTIO_LAYOUT).authorizationPolicies())
        .containsExactly(read(POLICIES).authorizationPolicies().get(0));
  }

  @Test
  void aMistakeInsideAnIstioSourceIsReportedWhereItIs() {
    String broken =
        ISTIO_LAYOUT.replace(
            "principals: [", "ipBlocks: [10.0.0.0/8]\n              principals: [");
    assertThatThrownBy(() -> read(broken))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining(
            "mesh.yaml:11:15: authorizationPolicies[0].rules[0].from[0].source.ipBlocks");
  }

  @Test
  void theActionIsAllowUnlessSaidOtherwiseAndAnyCaseWorks() {
    assertThat(
            read(ISTIO_LAYOUT.replace("    action: allow\n", ""))
                .authorizationPolicies()
                .get(0)
                .action())
        .isEqualTo(AuthorizationPolicy.Action.ALLOW);
    assertThat(
            read(POLICIES.replace("action: deny", "action: DENY"))
                .authorizationPolicies()
                .get(1)
                .action())
        .isEqualTo(AuthorizationPolicy.Action.DENY);
  }

  @Test
  void policyNamesAreUnique() {
    String twice = POLICIES.replace("name: no-admin", "name: reviews-viewer");
    assertThatThrownBy(() -> read(twice))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("duplicate policy name 'reviews-viewer'");
  }

  @Test
  void pathNormalizationIsSafeByDefaultAndReadsIstiosOptions() {
    assertThat(read(POLICIES).pathNormalization()).isEqualTo(PathNormalization.DEFAULT);
    MeshConfig config =
        read(
            "clusters: {}\npathNormalization:\n  mergeSlashes: false\n  escapedSlashes: unescape\n");
    assertThat(config.pathNormalization())
        .isEqualTo(new PathNormalization(false, PathNormalization.EscapedSlashes.UNESCAPE));
    assertThat(MeshConfigYaml.write(config)).contains("pathNormalization");
    assertThat(
            MeshConfigYaml.read(
                MeshConfigYaml.write(config).getBytes(StandardCharsets.UTF_8), "again.yaml"))
        .isEqualTo(config);
    assertThatThrownBy(() -> read("clusters: {}\npathNormalization:\n  escapedSlashes: drop\n"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("pathNormalization.escapedSlashes")
        .hasMessageContaining("mesh.yaml:3");
  }
}
