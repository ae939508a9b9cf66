package dev.weft.mesh.api.config;

import dev.weft.mesh.api.internal.Checks;

/**
 * What a hashing load balancer ({@code ring_hash}, {@code maglev}) hashes to keep a caller on one
 * endpoint (Envoy's route hash policy, gRFC A42). A route may list several; their hashes combine,
 * and a terminal one that produced a hash stops the rest.
 *
 * @param kind where the key comes from
 * @param name the header name for {@code HEADER}; empty for {@code CALL_KEY}
 * @param terminal whether a hash from this policy ends the evaluation of later ones
 */
public record HashPolicy(Kind kind, String name, boolean terminal) {
  public HashPolicy {
    Checks c = Checks.start();
    c.notNull(kind, "kind");
    if (c.notNull(name, "name") && kind == Kind.HEADER) {
      c.name(name, "name");
    }
    if (kind == Kind.CALL_KEY && name != null) {
      c.require(name.isEmpty(), "name", "is only for a header hash policy");
    }
    c.throwIfAny();
  }

  public static HashPolicy header(String headerName) {
    return new HashPolicy(Kind.HEADER, headerName.toLowerCase(java.util.Locale.ROOT), false);
  }

  public static HashPolicy callKey() {
    return new HashPolicy(Kind.CALL_KEY, "", false);
  }

  /** A source of a hash key. */
  public enum Kind {
    /** The value of a request header (gRPC metadata key). */
    HEADER,
    /** A key the caller attaches to the call explicitly. */
    CALL_KEY
  }
}
