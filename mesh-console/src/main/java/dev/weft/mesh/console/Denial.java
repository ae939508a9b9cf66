package dev.weft.mesh.console;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One authorization denial as the console shows it. It holds no request headers and no query
 * string: tokens travel there, and the console never shows them.
 *
 * @param time when the request was refused
 * @param service the service that refused it, or empty when the sink serves one service only
 * @param caller the caller's verified identity, or empty for an unauthenticated caller
 * @param method the request's method
 * @param path the request's path, without its query
 * @param policy the policy that decided, or empty
 * @param rule the index of the rule that matched, or -1
 * @param basis which step of the evaluation decided
 * @param reason the decision's sentence for operators
 */
public record Denial(
    Instant time,
    String service,
    String caller,
    String method,
    String path,
    String policy,
    int rule,
    String basis,
    String reason) {
  public Denial {
    requireNonNull(time, "time");
    requireNonNull(service, "service");
    requireNonNull(caller, "caller");
    requireNonNull(method, "method");
    requireNonNull(path, "path");
    requireNonNull(policy, "policy");
    requireNonNull(basis, "basis");
    requireNonNull(reason, "reason");
  }
}
