package dev.weft.mesh.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.runtime.Ticker;
import dev.weft.mesh.api.security.RequestAuthentication;
import dev.weft.mesh.api.security.RequestAuthentication.ClaimToHeader;
import dev.weft.mesh.api.security.RequestAuthentication.JwtHeader;
import dev.weft.mesh.api.security.RequestAuthentication.JwtRule;
import dev.weft.mesh.security.JwtAuthenticator.Outcome;
import dev.weft.mesh.testing.FakeTicker;
import dev.weft.mesh.testing.jwt.TestIssuer;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JwtAuthenticatorTest {
  private TestIssuer issuer;

  @BeforeEach
  void start() {
    issuer = TestIssuer.start("https://issuer.test");
  }

  @AfterEach
  void stop() {
    issuer.close();
  }

  private JwtAuthenticator authenticator(JwtRule rule, Ticker ticker) {
    return JwtAuthenticator.of(
        List.of(RequestAuthentication.of("jwt", rule)), "reviews", KeySets.create(), ticker);
  }

  private JwtAuthenticator remote(String... audiences) {
    return authenticator(
        JwtRule.remote(issuer.issuer(), issuer.jwksUri(), audiences), Ticker.system());
  }

  /** Keys from the issuer's endpoint, fetched again on any unknown key id (no rate limit). */
  private JwtAuthenticator refetchingOnEveryUnknownKey() {
    JwtRule rule =
        new JwtRule(
            issuer.issuer(),
            List.of(),
            issuer.jwksUri(),
            null,
            List.of(),
            List.of(),
            List.of(),
            false,
            null,
            null,
            Duration.ZERO);
    return authenticator(rule, Ticker.system());
  }

  private static RequestHeaders bearer(String token) {
    return RequestHeaders.of(Map.of("Authorization", List.of("Bearer " + token)));
  }

  @Test
  void validTokenGivesTheRequestPrincipal() {
    JwtAuthenticator auth = remote("bookinfo");
    String token =
        issuer.token(c -> c.subject("alice").audience("bookinfo").claim("azp", "web-app"));

    JwtAuthenticator.Result r = auth.authenticate(bearer(token), null);

    assertThat(r.outcome()).isEqualTo(Outcome.AUTHENTICATED);
    RequestPrincipal p = r.principal().orElseThrow();
    assertThat(p.getName()).isEqualTo("https://issuer.test/alice");
    assertThat(p.audiences()).containsExactly("bookinfo");
    assertThat(p.presenter()).isEqualTo("web-app");
    // the token's header is removed before the application sees it (not forwarded by default)
    assertThat(r.removeHeaders()).containsExactly("authorization");
  }

  @Test
  void noTokenPassesAnonymously() {
    JwtAuthenticator.Result r = remote().authenticate(RequestHeaders.NONE, null);
    assertThat(r.outcome()).isEqualTo(Outcome.ANONYMOUS);
    assertThat(r.principal()).isEmpty();
    // another authorization scheme is not a token of ours
    r =
        remote()
            .authenticate(RequestHeaders.of(Map.of("authorization", List.of("Basic YTpi"))), null);
    assertThat(r.outcome()).isEqualTo(Outcome.ANONYMOUS);
  }

  @Test
  void everyKindOfBadTokenIsRefused() {
    JwtAuthenticator auth = remote("bookinfo");
    String expired =
        issuer.token(
            c ->
                c.subject("a")
                    .audience("bookinfo")
                    .expirationTime(new Date(System.currentTimeMillis() - 120_000)));
    String notYet =
        issuer.token(
            c ->
                c.subject("a")
                    .audience("bookinfo")
                    .notBeforeTime(new Date(System.currentTimeMillis() + 120_000)));
    String wrongAudience = issuer.token(c -> c.subject("a").audience("other"));
    String wrongIssuer =
        issuer.token(c -> c.subject("a").audience("bookinfo").issuer("https://evil.test"));
    String badSignature =
        TestIssuer.tampered(issuer.token(c -> c.subject("a").audience("bookinfo")));
    String unsigned = issuer.unsignedToken(c -> c.subject("a").audience("bookinfo"));

    assertRefused(auth, expired, "expired");
    assertRefused(auth, notYet, "before");
    assertRefused(auth, wrongAudience, "aud");
    assertRefused(auth, wrongIssuer, "is not accepted");
    assertRefused(auth, badSignature, "not valid");
    assertRefused(auth, unsigned, "not a signed JWT");
    assertRefused(auth, "not-a-token", "not a signed JWT");
  }

  private static void assertRefused(JwtAuthenticator auth, String token, String why) {
    JwtAuthenticator.Result r = auth.authenticate(bearer(token), null);
    assertThat(r.outcome()).as(why).isEqualTo(Outcome.REFUSED);
    assertThat(r.problem()).containsIgnoringCase(why);
    assertThat(r.principal()).isEmpty();
  }

  @Test
  void hmacIsRefusedEvenWhenTheKeySetHasASharedSecret() {
    // alg confusion: HS256 "signed" with a value anyone can read must never pass
    String header =
        java.util.Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString("{\"alg\":\"HS256\"}".getBytes());
    String payload =
        java.util.Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(("{\"iss\":\"" + issuer.issuer() + "\",\"sub\":\"a\"}").getBytes());
    assertRefused(remote(), header + "." + payload + ".c2ln", "algorithm HS256 is not accepted");
  }

  @Test
  void ecdsaAndEd25519KeysVerify() {
    issuer.addEcKey("ec-1").addEd25519Key("ed-1").publish("rsa-1", "ec-1", "ed-1");
    JwtAuthenticator auth = remote();
    for (String kid : List.of("rsa-1", "ec-1", "ed-1")) {
      String token = issuer.token(kid, c -> c.subject("user-" + kid));
      JwtAuthenticator.Result r = auth.authenticate(bearer(token), null);
      assertThat(r.outcome()).as(kid + ": " + r.problem()).isEqualTo(Outcome.AUTHENTICATED);
      assertThat(r.principal().orElseThrow().subject()).isEqualTo("user-" + kid);
      assertRefused(auth, TestIssuer.tampered(token), "not valid");
    }
  }

  @Test
  void aKeyRotatedOutOfTheKeySetIsNoLongerAccepted() {
    issuer.addRsaKey("rsa-2");
    JwtAuthenticator auth = refetchingOnEveryUnknownKey();
    String old = issuer.token("rsa-1", c -> c.subject("a"));
    assertThat(auth.authenticate(bearer(old), null).outcome()).isEqualTo(Outcome.AUTHENTICATED);

    issuer.publish("rsa-2"); // rotation: rsa-1 leaves the set
    String rotatedIn = issuer.token("rsa-2", c -> c.subject("b"));
    // an unknown key id makes the set be fetched again
    assertThat(auth.authenticate(bearer(rotatedIn), null).outcome())
        .isEqualTo(Outcome.AUTHENTICATED);
    assertRefused(auth, old, "not valid");
  }

  @Test
  void whileTheKeySetEndpointIsDownCachedKeysWorkAndNewKeyIdsFailClosed() {
    issuer.addRsaKey("rsa-new");
    JwtAuthenticator auth = refetchingOnEveryUnknownKey();
    String cached = issuer.token("rsa-1", c -> c.subject("a"));
    assertThat(auth.authenticate(bearer(cached), null).outcome()).isEqualTo(Outcome.AUTHENTICATED);

    issuer.stop();
    assertThat(auth.authenticate(bearer(cached), null).outcome()).isEqualTo(Outcome.AUTHENTICATED);
    assertRefused(auth, issuer.token("rsa-new", c -> c.subject("b")), "not valid");
    assertThat(auth.authenticate(bearer(cached), null).outcome()).isEqualTo(Outcome.AUTHENTICATED);
  }

  @Test
  void keySetsAreFetchedOnceAcrossRebuilds() {
    KeySets sets = KeySets.create();
    JwtRule rule = JwtRule.remote(issuer.issuer(), issuer.jwksUri());
    String token = issuer.token(c -> c.subject("a"));
    for (int i = 0; i < 5; i++) {
      JwtAuthenticator auth =
          JwtAuthenticator.of(
              List.of(RequestAuthentication.of("jwt", rule)), "reviews", sets, Ticker.system());
      assertThat(auth.authenticate(bearer(token), null).outcome()).isEqualTo(Outcome.AUTHENTICATED);
    }
    assertThat(issuer.fetches()).isEqualTo(1);
    sets.retain(List.of());
    assertThat(sets.remoteCount()).isZero();
  }

  @Test
  void clockSkewIsMeasuredOnTheInjectedClock() {
    long now = System.currentTimeMillis();
    FakeTicker ticker = new FakeTicker(now);
    JwtRule rule =
        new JwtRule(
            issuer.issuer(),
            List.of(),
            null,
            issuer.jwksJson(),
            List.of(),
            List.of(),
            List.of(),
            false,
            Duration.ofSeconds(30),
            null,
            null);
    JwtAuthenticator auth = authenticator(rule, ticker);
    String token = issuer.token(c -> c.subject("a").expirationTime(new Date(now + 60_000)));

    assertThat(auth.authenticate(bearer(token), null).outcome()).isEqualTo(Outcome.AUTHENTICATED);
    ticker.advance(Duration.ofSeconds(85)); // 25 s past exp, within the 30 s skew
    assertThat(auth.authenticate(bearer(token), null).outcome()).isEqualTo(Outcome.AUTHENTICATED);
    ticker.advance(Duration.ofSeconds(10)); // 35 s past exp
    assertRefused(auth, token, "expired");
  }

  @Test
  void tokensFromCustomHeadersAndQueryParametersAndClaimsToHeaders() {
    JwtRule rule =
        new JwtRule(
            issuer.issuer(),
            List.of(),
            null,
            issuer.jwksJson(),
            List.of(new JwtHeader("x-jwt", "")),
            List.of("access_token"),
            List.of(
                new ClaimToHeader("x-user", "sub"), new ClaimToHeader("x-roles", "realm.roles")),
            false,
            null,
            null,
            null);
    JwtAuthenticator auth = authenticator(rule, Ticker.system());
    String token =
        issuer.token(c -> c.subject("alice").claim("realm", Map.of("roles", List.of("a", "b"))));

    JwtAuthenticator.Result byHeader =
        auth.authenticate(RequestHeaders.of(Map.of("X-JWT", List.of(token))), null);
    assertThat(byHeader.outcome()).isEqualTo(Outcome.AUTHENTICATED);
    assertThat(byHeader.setHeaders())
        .containsEntry("x-user", "alice")
        .containsEntry("x-roles", "a,b");
    assertThat(byHeader.removeHeaders()).contains("x-user", "x-roles", "x-jwt");

    JwtAuthenticator.Result byParam =
        auth.authenticate(RequestHeaders.NONE, "a=1&access_token=" + token);
    assertThat(byParam.outcome()).isEqualTo(Outcome.AUTHENTICATED);

    // the bearer header is not one of this rule's places: a token there is not looked at
    assertThat(auth.authenticate(bearer(token), null).outcome()).isEqualTo(Outcome.ANONYMOUS);
    // a caller never supplies a claim header itself, token or not
    JwtAuthenticator.Result anonymous =
        auth.authenticate(RequestHeaders.of(Map.of("x-user", List.of("admin"))), null);
    assertThat(anonymous.outcome()).isEqualTo(Outcome.ANONYMOUS);
    assertThat(anonymous.removeHeaders()).contains("x-user", "x-roles");
  }

  @Test
  void twoDifferentTokensAreRefused() {
    JwtRule rule =
        new JwtRule(
            issuer.issuer(),
            List.of(),
            null,
            issuer.jwksJson(),
            List.of(JwtHeader.AUTHORIZATION_BEARER),
            List.of("token"),
            List.of(),
            false,
            null,
            null,
            null);
    JwtAuthenticator auth = authenticator(rule, Ticker.system());
    String a = issuer.token(c -> c.subject("a"));
    String b = issuer.token(c -> c.subject("b"));
    JwtAuthenticator.Result two = auth.authenticate(bearer(a), "token=" + b);
    assertThat(two.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(two.problem()).contains("more than one token");
    // the same token in two places is one token
    assertThat(auth.authenticate(bearer(a), "token=" + a).outcome())
        .isEqualTo(Outcome.AUTHENTICATED);
  }

  @Test
  void badRulesAreRefusedWithTheirField() {
    assertThatThrownBy(() -> JwtRule.remote("iss", "ftp://x/jwks"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("jwksUri");
    assertThatThrownBy(
            () ->
                new JwtRule(
                    "iss",
                    List.of(),
                    "https://a/jwks",
                    "{\"keys\":[]}",
                    List.of(),
                    List.of(),
                    List.of(),
                    false,
                    null,
                    null,
                    null))
        .hasMessageContaining("exactly one of jwksUri and jwks");
    assertThatThrownBy(() -> JwtRule.inline("iss", "[1,2]"))
        .hasMessageContaining("jwks")
        .hasMessageContaining("JSON Web Key Set");
    assertThatThrownBy(() -> new ClaimToHeader("bad header", "sub")).hasMessageContaining("header");
    assertThatThrownBy(
            () ->
                new RequestAuthentication(
                    "r",
                    List.of(),
                    List.of(
                        JwtRule.inline("iss", "{\"keys\":[]}"),
                        JwtRule.inline("iss", "{\"keys\":[]}"))))
        .hasMessageContaining("jwtRules[1].issuer");
  }
}
