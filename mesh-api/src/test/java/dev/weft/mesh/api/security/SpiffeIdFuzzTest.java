package dev.weft.mesh.api.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes {@link SpiffeId#parse}, which reads peer certificates' URI SANs and operators' policies:
 * only {@link IllegalArgumentException} escapes, and an accepted ID is its own written form. The
 * seeds in {@code SpiffeIdFuzzTestInputs} run as regression tests; see {@code docs/fuzzing.md}.
 */
class SpiffeIdFuzzTest {

  @FuzzTest(maxDuration = "1m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void parse(byte[] input) {
    String raw = new String(input, StandardCharsets.UTF_8);
    boolean valid = SpiffeId.isValid(raw);
    assertThat(SpiffeId.tryParse(raw).isPresent())
        .as("tryParse agrees with isValid")
        .isEqualTo(valid);
    SpiffeId id;
    try {
      id = SpiffeId.parse(raw);
    } catch (IllegalArgumentException rejected) {
      assertThat(valid).as("isValid for a rejected ID").isFalse();
      return;
    }
    assertThat(valid).as("isValid for an accepted ID").isTrue();
    assertThat(id.toString()).isEqualTo(raw);
    assertThat(SpiffeId.parse(id.toString())).isEqualTo(id).hasSameHashCodeAs(id);
    assertThat(id.toString()).isEqualTo("spiffe://" + id.trustDomain() + id.path());
    assertThat(SpiffeId.isValidTrustDomain(id.trustDomain())).isTrue();
    String[] segments = id.path().isEmpty() ? new String[0] : id.path().substring(1).split("/");
    if (segments.length == 4 && segments[0].equals("ns") && segments[2].equals("sa")) {
      assertThat(id.namespace()).contains(segments[1]);
      assertThat(id.serviceAccount()).contains(segments[3]);
      assertThat(SpiffeId.of(id.trustDomain(), segments[1], segments[3])).isEqualTo(id);
    }
    id.namespace().ifPresent(ns -> assertThat(id.path()).contains("/ns/" + ns));
    id.serviceAccount().ifPresent(sa -> assertThat(id.path()).contains("/sa/" + sa));
  }
}
