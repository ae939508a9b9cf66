package dev.weft.mesh.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.mesh.api.security.AuthorizationPolicy;
import dev.weft.mesh.api.security.AuthorizationPolicy.Action;
import dev.weft.mesh.api.security.AuthorizationPolicy.Condition;
import dev.weft.mesh.api.security.AuthorizationPolicy.Operation;
import dev.weft.mesh.api.security.AuthorizationPolicy.Rule;
import dev.weft.mesh.api.security.AuthorizationPolicy.Source;
import dev.weft.mesh.api.security.SpiffeId;
import dev.weft.mesh.testing.certs.DevCertificateAuthority;
import dev.weft.mesh.testing.certs.DevCertificates;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Istio AuthorizationPolicy semantics, decided without any network. */
class AuthorizerTest {
  static final String PRODUCTPAGE = "spiffe://weft.test/ns/default/sa/productpage";
  static final String RATINGS = "spiffe://weft.test/ns/default/sa/ratings";
  static final String ADMIN = "spiffe://weft.test/ns/ops/sa/admin";

  static DevCertificateAuthority ca;

  @BeforeAll
  static void mint() {
    ca = DevCertificates.newAuthority("weft.test CA");
  }

  static Optional<PeerIdentity> peer(String id) {
    return Optional.of(new PeerIdentity(SpiffeId.parse(id), ca.workload(id).issue().certificate()));
  }

  static AuthorizationRequest get(String caller, String path) {
    return new AuthorizationRequest(
        caller == null ? Optional.empty() : peer(caller), path, "GET", RequestHeaders.NONE);
  }

  @Test
  void withNoPolicyEverythingIsAllowed() {
    Decision d = Authorizer.of(List.of()).authorize(get(null, "/anything"));
    assertThat(d.allowed()).isTrue();
    assertThat(d.basis()).isEqualTo(Decision.Basis.NO_POLICIES);
  }

  @Test
  void anAllowPolicyDeniesEveryRequestItDoesNotMatch() {
    Authorizer a =
        Authorizer.of(
            List.of(
                AuthorizationPolicy.of(
                    "reviews-viewers", Action.ALLOW, Rule.from(Source.principals(PRODUCTPAGE)))));

    Decision allowed = a.authorize(get(PRODUCTPAGE, "/reviews/1"));
    assertThat(allowed.allowed()).isTrue();
    assertThat(allowed.policy()).isEqualTo("reviews-viewers");
    assertThat(allowed.rule()).isZero();
    assertThat(allowed.reason()).isEqualTo("allowed by policy 'reviews-viewers' rule 0");

    Decision denied = a.authorize(get(RATINGS, "/reviews/1"));
    assertThat(denied.denied()).isTrue();
    assertThat(denied.basis()).isEqualTo(Decision.Basis.NO_ALLOW_MATCH);
    assertThat(denied.policy()).isEmpty();
    assertThat(a.authorize(get(null, "/reviews/1")).denied()).as("no identity").isTrue();
  }

  @Test
  void denyWinsOverAllow() {
    Authorizer a =
        Authorizer.of(
            List.of(
                AuthorizationPolicy.of("allow-all", Action.ALLOW, Rule.ANY),
                AuthorizationPolicy.of(
                    "no-admin-path",
                    Action.DENY,
                    new Rule(List.of(), List.of(Operation.paths("/admin*")), List.of()))));
    assertThat(a.authorize(get(PRODUCTPAGE, "/reviews")).allowed()).isTrue();
    Decision d = a.authorize(get(PRODUCTPAGE, "/admin/users"));
    assertThat(d.denied()).isTrue();
    assertThat(d.basis()).isEqualTo(Decision.Basis.DENY_POLICY);
    assertThat(d.reason()).isEqualTo("denied by policy 'no-admin-path' rule 0");
  }

  @Test
  void onlyDenyPoliciesAllowWhatTheyDoNotMatch() {
    Authorizer a =
        Authorizer.of(
            List.of(
                AuthorizationPolicy.of(
                    "no-ratings", Action.DENY, Rule.from(Source.principals("*/sa/ratings")))));
    assertThat(a.authorize(get(RATINGS, "/")).denied()).isTrue();
    Decision other = a.authorize(get(PRODUCTPAGE, "/"));
    assertThat(other.allowed()).isTrue();
    assertThat(other.basis()).isEqualTo(Decision.Basis.NO_POLICIES);
  }

  @Test
  void anAllowPolicyWithoutRulesDeniesEverything() {
    Authorizer a = Authorizer.of(List.of(AuthorizationPolicy.of("deny-all", Action.ALLOW)));
    assertThat(a.authorize(get(PRODUCTPAGE, "/")).denied()).isTrue();
  }

  @Test
  void principalsMatchExactlyByPrefixSuffixOrPresenceWithOrWithoutTheScheme() {
    assertAllowed(Source.principals(PRODUCTPAGE), PRODUCTPAGE, true);
    assertAllowed(Source.principals("weft.test/ns/default/sa/productpage"), PRODUCTPAGE, true);
    assertAllowed(Source.principals("weft.test/ns/default/*"), PRODUCTPAGE, true);
    assertAllowed(Source.principals("spiffe://weft.test/ns/default/*"), PRODUCTPAGE, true);
    assertAllowed(Source.principals("spiffe://weft.test/ns/default/*"), ADMIN, false);
    assertAllowed(Source.principals("*/sa/productpage"), PRODUCTPAGE, true);
    assertAllowed(Source.principals("*/sa/productpage"), RATINGS, false);
    assertAllowed(Source.principals("*"), RATINGS, true);
    assertAllowed(Source.principals("*"), null, false);
    assertAllowed(new Source(List.of(), List.of("*"), List.of(), List.of()), null, true);
    assertAllowed(
        new Source(List.of(), List.of("*/sa/ratings"), List.of(), List.of()), RATINGS, false);
    assertAllowed(
        new Source(List.of(), List.of("*/sa/ratings"), List.of(), List.of()), PRODUCTPAGE, true);
  }

  @Test
  void namespacesComeFromTheSpiffeId() {
    assertAllowed(Source.namespaces("default"), PRODUCTPAGE, true);
    assertAllowed(Source.namespaces("default"), ADMIN, false);
    assertAllowed(Source.namespaces("op*"), ADMIN, true);
    assertAllowed(new Source(List.of(), List.of(), List.of(), List.of("ops")), ADMIN, false);
    assertAllowed(new Source(List.of(), List.of(), List.of(), List.of("ops")), PRODUCTPAGE, true);
    // both fields of one source must match
    assertAllowed(
        new Source(List.of("*/sa/admin"), List.of(), List.of("default"), List.of()), ADMIN, false);
  }

  private static void assertAllowed(Source source, String caller, boolean allowed) {
    Authorizer a =
        Authorizer.of(List.of(AuthorizationPolicy.of("p", Action.ALLOW, Rule.from(source))));
    assertThat(a.authorize(get(caller, "/")).allowed())
        .as("%s for %s", source, caller)
        .isEqualTo(allowed);
  }

  @Test
  void operationsMatchGrpcMethodsHttpPathsAndMethods() {
    Authorizer a =
        Authorizer.of(
            List.of(
                AuthorizationPolicy.of(
                    "ops",
                    Action.ALLOW,
                    new Rule(List.of(), List.of(Operation.paths("/bookinfo.Reviews/*")), List.of()),
                    new Rule(
                        List.of(),
                        List.of(
                            new Operation(
                                List.of("/reviews*"),
                                List.of("/reviews/secret"),
                                List.of("GET", "HEAD"),
                                List.of())),
                        List.of()),
                    new Rule(
                        List.of(),
                        List.of(
                            new Operation(
                                List.of(), List.of(), List.of(), List.of("GET", "POST", "HEAD"))),
                        List.of()))));

    Decision grpc =
        a.authorize(
            AuthorizationRequest.grpc(
                peer(PRODUCTPAGE), "bookinfo.Reviews/GetReviews", RequestHeaders.NONE));
    assertThat(grpc.allowed()).isTrue();
    assertThat(grpc.rule()).isZero();
    assertThat(
            a.authorize(
                    AuthorizationRequest.grpc(
                        peer(PRODUCTPAGE), "/bookinfo.Ratings/Get", RequestHeaders.NONE))
                .denied())
        .isTrue();

    assertThat(a.authorize(get(PRODUCTPAGE, "/reviews/1?x=y")).rule()).isEqualTo(1);
    assertThat(a.authorize(get(PRODUCTPAGE, "/reviews/secret")).denied()).isTrue();
    AuthorizationRequest post =
        new AuthorizationRequest(peer(PRODUCTPAGE), "/reviews/1", "POST", RequestHeaders.NONE);
    assertThat(a.authorize(post).denied()).isTrue();
    AuthorizationRequest delete =
        new AuthorizationRequest(peer(PRODUCTPAGE), "/anything", "DELETE", RequestHeaders.NONE);
    assertThat(a.authorize(delete).rule()).isEqualTo(2);
  }

  @Test
  void conditionsOnHeadersAndOnTheSource() {
    Authorizer a =
        Authorizer.of(
            List.of(
                AuthorizationPolicy.of(
                    "when",
                    Action.ALLOW,
                    Rule.ANY.when(
                        Condition.header("x-user", "jason", "admin-*"),
                        new Condition("request.headers[x-debug]", List.of(), List.of("*")),
                        new Condition("source.namespace", List.of("default"), List.of()),
                        new Condition("source.principal", List.of(), List.of("*/sa/ratings"))))));

    assertThat(a.authorize(withHeaders(PRODUCTPAGE, Map.of("X-User", List.of("jason")))).allowed())
        .isTrue();
    // as Envoy and Istio match them, a repeated header's values are joined with ',' and matched as
    // one
    assertThat(
            a.authorize(withHeaders(PRODUCTPAGE, Map.of("x-user", List.of("admin-7", "someone"))))
                .allowed())
        .as("joined value admin-7,someone")
        .isTrue();
    assertThat(
            a.authorize(withHeaders(PRODUCTPAGE, Map.of("x-user", List.of("someone", "admin-7"))))
                .denied())
        .as("joined value someone,admin-7")
        .isTrue();
    assertThat(a.authorize(withHeaders(PRODUCTPAGE, Map.of("x-user", List.of("mallory")))).denied())
        .isTrue();
    assertThat(a.authorize(withHeaders(PRODUCTPAGE, Map.of())).denied())
        .as("header absent")
        .isTrue();
    assertThat(
            a.authorize(
                    withHeaders(
                        PRODUCTPAGE, Map.of("x-user", List.of("jason"), "x-debug", List.of("1"))))
                .denied())
        .as("x-debug must be absent")
        .isTrue();
    assertThat(a.authorize(withHeaders(RATINGS, Map.of("x-user", List.of("jason")))).denied())
        .isTrue();
    assertThat(a.authorize(withHeaders(ADMIN, Map.of("x-user", List.of("jason")))).denied())
        .isTrue();
  }

  private static AuthorizationRequest withHeaders(
      String caller, Map<String, List<String>> headers) {
    return new AuthorizationRequest(peer(caller), "/", "GET", RequestHeaders.of(headers));
  }

  @Test
  void auditLinesCarryNoControlCharactersFromTheRequest() {
    AuditEvent e =
        new AuditEvent(
            java.time.Instant.EPOCH,
            Optional.empty(),
            "GET",
            "/a\nDENY b\"c",
            Decision.NO_POLICIES);
    assertThat(e.toLogLine())
        .startsWith(
            "ALLOW caller=- method=GET path=/a\\x0aDENY\\x20b\\x22c policy=- rule=-"
                + " basis=NO_POLICIES");
  }

  @Test
  void forServiceKeepsOnlyThePoliciesOfThatService() {
    List<AuthorizationPolicy> policies =
        List.of(
            AuthorizationPolicy.of(
                    "reviews-only", Action.ALLOW, Rule.from(Source.principals(PRODUCTPAGE)))
                .forServices("reviews"),
            AuthorizationPolicy.of("everywhere", Action.DENY, Rule.from(Source.namespaces("ops"))));
    assertThat(Authorizer.forService(policies, "reviews").policies()).hasSize(2);
    Authorizer ratings = Authorizer.forService(policies, "ratings");
    assertThat(ratings.policies())
        .extracting(AuthorizationPolicy::name)
        .containsExactly("everywhere");
    assertThat(ratings.authorize(get(RATINGS, "/")).allowed()).isTrue();
    assertThat(ratings.authorize(get(ADMIN, "/")).denied()).isTrue();
  }
}
