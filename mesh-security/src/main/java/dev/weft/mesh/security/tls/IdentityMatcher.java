package dev.weft.mesh.security.tls;

import dev.weft.mesh.api.security.SpiffeId;
import dev.weft.mesh.security.PeerIdentity;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * One expected peer name: an exact SPIFFE ID, a SPIFFE ID prefix ending in {@code *} (such as
 * {@code spiffe://weft.test/ns/default/sa/*}), or any other name (a DNS name, an IP address, a
 * non-SPIFFE URI), compared exactly with the certificate's subject alternative names.
 */
record IdentityMatcher(String pattern, boolean spiffe, boolean prefix) {

  static IdentityMatcher parse(String pattern) {
    if (pattern == null || pattern.isBlank()) {
      throw new IllegalArgumentException("an expected identity must not be blank");
    }
    boolean spiffe = pattern.startsWith("spiffe://");
    if (spiffe && pattern.endsWith("*")) {
      String stem = pattern.substring(0, pattern.length() - 1);
      if (stem.contains("*") || !stem.endsWith("/")) {
        throw new IllegalArgumentException(
            "'" + pattern + "': a SPIFFE ID pattern may only end in '/*'");
      }
      SpiffeId.parse(
          stem.substring(0, stem.length() - 1)); // the part before "/*" must itself be valid
      return new IdentityMatcher(stem, true, true);
    }
    if (pattern.contains("*")) {
      throw new IllegalArgumentException(
          "'" + pattern + "': wildcards are supported only as a SPIFFE ID ending in '/*'");
    }
    if (spiffe) {
      SpiffeId.parse(pattern);
    }
    return new IdentityMatcher(pattern, spiffe, false);
  }

  boolean matches(X509Certificate leaf) {
    List<String> sans = spiffe ? PeerIdentity.uriSans(leaf) : PeerIdentity.allSans(leaf);
    for (String san : sans) {
      if (prefix
          ? san.startsWith(pattern) && san.length() > pattern.length()
          : san.equals(pattern)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return prefix ? pattern + "*" : pattern;
  }
}
