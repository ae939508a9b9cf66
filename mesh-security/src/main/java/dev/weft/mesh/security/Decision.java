package dev.weft.mesh.security;

import static java.util.Objects.requireNonNull;

/**
 * The outcome of authorizing one request.
 *
 * @param allowed whether the request may proceed
 * @param basis why: which step of the evaluation decided
 * @param policy the name of the policy that matched; empty when none did (for {@code
 *     NO_ALLOW_MATCH}, the ALLOW policies when none of them has a rule, so that they allow nothing)
 * @param rule the index of the matching rule in that policy; -1 when none did
 * @param reason a sentence for people (logs, error bodies)
 */
public record Decision(boolean allowed, Basis basis, String policy, int rule, String reason) {

  /** Allowed because no policy applies. */
  public static final Decision NO_POLICIES =
      new Decision(true, Basis.NO_POLICIES, "", -1, "allowed: no authorization policy applies");

  /** Denied because ALLOW policies exist and none matched. */
  public static final Decision NO_ALLOW_MATCH =
      new Decision(
          false, Basis.NO_ALLOW_MATCH, "", -1, "denied: no ALLOW policy matched the request");

  public Decision {
    requireNonNull(basis, "basis");
    requireNonNull(policy, "policy");
    requireNonNull(reason, "reason");
  }

  /** Whether the request must be refused. */
  public boolean denied() {
    return !allowed;
  }

  /** Which step of the evaluation decided. */
  public enum Basis {
    /** A DENY policy matched. */
    DENY_POLICY,
    /** An ALLOW policy matched (and no DENY policy did). */
    ALLOW_POLICY,
    /** No policy applies: everything is allowed. */
    NO_POLICIES,
    /** ALLOW policies exist but none matched. */
    NO_ALLOW_MATCH
  }
}
