package dev.weft.mesh.api.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SpiffeIdTest {

  @Test
  void parsesAnIstioWorkloadId() {
    SpiffeId id = SpiffeId.parse("spiffe://weft.test/ns/default/sa/reviews");
    assertThat(id.trustDomain()).isEqualTo("weft.test");
    assertThat(id.path()).isEqualTo("/ns/default/sa/reviews");
    assertThat(id.namespace()).hasValue("default");
    assertThat(id.serviceAccount()).hasValue("reviews");
    assertThat(id.principal()).isEqualTo("weft.test/ns/default/sa/reviews");
    assertThat(id).isEqualTo(SpiffeId.of("weft.test", "default", "reviews"));
    assertThat(id.toString()).isEqualTo("spiffe://weft.test/ns/default/sa/reviews");
  }

  @Test
  void acceptsWhatTheStandardAllows() {
    assertThat(SpiffeId.parse("spiffe://example.org").path()).isEmpty();
    assertThat(SpiffeId.parse("spiffe://my_domain-1.example/Path.With-Mixed_Case/2").namespace())
        .isEmpty();
  }

  @Test
  void rejectsWhatTheStandardForbidsSayingWhy() {
    assertInvalid("", "it is empty");
    assertInvalid("http://weft.test/x", "it must start with 'spiffe://'");
    assertInvalid("SPIFFE://weft.test/x", "the scheme must be lower-case 'spiffe'");
    assertInvalid("spiffe:///ns/x", "the trust domain is empty");
    assertInvalid("spiffe://Weft.test/x", "the trust domain must be lower case");
    assertInvalid("spiffe://weft.test:8443/x", "must not have a port");
    assertInvalid("spiffe://user@weft.test/x", "must not have user info");
    assertInvalid("spiffe://weft.test/", "the path must not end with '/'");
    assertInvalid("spiffe://weft.test/ns//sa", "empty segments");
    assertInvalid("spiffe://weft.test/ns/../sa", "'.' or '..' segments");
    assertInvalid("spiffe://weft.test/ns/./sa", "'.' or '..' segments");
    assertInvalid("spiffe://weft.test/ns/x?y=z", "query or fragment");
    assertInvalid("spiffe://weft.test/ns/x#y", "query or fragment");
    assertInvalid("spiffe://weft.test/ns/%41", "found '%'");
    assertInvalid("spiffe://weft.test/" + "a".repeat(2100), "longer than 2048 bytes");
    assertThat(SpiffeId.tryParse("nonsense")).isEmpty();
    assertThat(SpiffeId.isValidTrustDomain("weft.test")).isTrue();
    assertThat(SpiffeId.isValidTrustDomain("weft.test:1")).isFalse();
  }

  private static void assertInvalid(String id, String why) {
    assertThat(SpiffeId.isValid(id)).as(id).isFalse();
    assertThatThrownBy(() -> SpiffeId.parse(id))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(why);
  }
}
