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
 * @param reason a sentence for the audit log and operators; it names the policy and rule, so it is
 *     never sent to the caller (see {@link #publicReason()})
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

  /**
   * A request refused before any policy was checked, because the server could read it in more than
   * one way (a path or method that normalization refuses); answered with 400.
   */
  public static Decision invalid(String reason) {
    return new Decision(false, Basis.INVALID_REQUEST, "", -1, reason);
  }

  /**
   * A request refused before any policy was checked, because it carries an end-user token that no
   * {@link dev.weft.mesh.api.security.RequestAuthentication} accepts; answered with 401 ({@code
   * UNAUTHENTICATED} over gRPC). {@code reason} says why, for the audit log only.
   */
  public static Decision unauthenticated(String reason) {
    return new Decision(false, Basis.UNAUTHENTICATED, "", -1, reason);
  }

  /** Whether the request was refused for an invalid token (HTTP 401) rather than by a policy. */
  public boolean unauthenticated() {
    return basis == Basis.UNAUTHENTICATED;
  }

  /**
   * The HTTP status a refused request is answered with: 400 for a malformed request, 401 for an
   * invalid token, 403 for a policy's denial; 200 when allowed.
   */
  public int httpStatus() {
    return switch (basis) {
      case INVALID_REQUEST -> 400;
      case UNAUTHENTICATED -> 401;
      case DENY_POLICY, NO_ALLOW_MATCH -> 403;
      case ALLOW_POLICY, NO_POLICIES -> 200;
    };
  }

  /** Whether the request must be refused. */
  public boolean denied() {
    return !allowed;
  }

  /** Whether the request was refused as malformed (HTTP 400) rather than by a policy (403). */
  public boolean invalid() {
    return basis == Basis.INVALID_REQUEST;
  }

  /**
   * What may be told to the caller: why a malformed request was refused, or that a policy denied
   * it, without naming the policy or rule (the audit log has those).
   */
  public String publicReason() {
    return switch (basis) {
      case INVALID_REQUEST -> reason;
      case UNAUTHENTICATED -> "the request's token is not valid";
      case DENY_POLICY -> "denied by an authorization policy";
      case NO_ALLOW_MATCH -> "denied: no ALLOW policy matched the request";
      case ALLOW_POLICY, NO_POLICIES -> "allowed";
    };
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
    NO_ALLOW_MATCH,
    /** The request was malformed: no policy was checked. */
    INVALID_REQUEST,
    /** The request carries a token that is not valid: no policy was checked. */
    UNAUTHENTICATED
  }
}
