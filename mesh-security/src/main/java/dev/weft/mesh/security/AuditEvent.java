package dev.weft.mesh.security;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.security.SpiffeId;
import java.time.Instant;
import java.util.Optional;

/**
 * One authorization decision, as audited.
 *
 * @param time when the decision was made (from the enforcer's clock)
 * @param caller the caller's verified identity; empty for an unauthenticated caller
 * @param method the request's method ({@code POST} for gRPC)
 * @param path the request's path, or the gRPC method as {@code /package.Service/Method}
 * @param decision the outcome, with the matching policy and rule
 */
public record AuditEvent(
    Instant time, Optional<SpiffeId> caller, String method, String path, Decision decision) {
  public AuditEvent {
    requireNonNull(time, "time");
    requireNonNull(caller, "caller");
    requireNonNull(method, "method");
    requireNonNull(path, "path");
    requireNonNull(decision, "decision");
  }

  /**
   * One line for logs: {@code DENY caller=... method=... path=... policy=... rule=...
   * reason="..."}.
   */
  public String toLogLine() {
    StringBuilder sb = new StringBuilder(160);
    sb.append(decision.allowed() ? "ALLOW" : "DENY")
        .append(" caller=")
        .append(caller.map(SpiffeId::toString).orElse("-"))
        .append(" method=");
    appendPrintable(sb, method);
    sb.append(" path=");
    appendPrintable(sb, path);
    sb.append(" policy=")
        .append(decision.policy().isEmpty() ? "-" : decision.policy())
        .append(" rule=")
        .append(decision.rule() < 0 ? "-" : Integer.toString(decision.rule()))
        .append(" basis=")
        .append(decision.basis())
        .append(" time=")
        .append(time)
        .append(" reason=\"")
        .append(decision.reason())
        .append('"');
    return sb.toString();
  }

  /**
   * Request data is the caller's to choose: keep control characters, spaces and quotes out of the
   * line.
   */
  private static void appendPrintable(StringBuilder sb, String s) {
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      sb.append(ch < 0x20 || ch == 0x7f || ch == ' ' || ch == '"' ? '?' : ch);
    }
  }
}
