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
   * One line for logs: {@code DENY caller=... method=... path=... policy=... rule=... basis=...
   * time=... reason="..."}. Every field is escaped: outside quotes anything but printable ASCII
   * (space, quotes, backslash and control characters included) is written as {@code \xNN} or {@code
   * \\u} and four hex digits; inside the quoted reason, quotes, backslashes and anything
   * unprintable are. A caller cannot break the line, forge another one or smuggle terminal escapes
   * (CR, LF, ESC, NEL, the Unicode line separators) into it.
   */
  public String toLogLine() {
    StringBuilder sb = new StringBuilder(160);
    sb.append(
            decision.invalid()
                ? "INVALID"
                : decision.unauthenticated()
                    ? "UNAUTHENTICATED"
                    : decision.allowed() ? "ALLOW" : "DENY")
        .append(" caller=");
    bare(sb, caller.map(SpiffeId::toString).orElse("-"));
    sb.append(" method=");
    bare(sb, method);
    sb.append(" path=");
    bare(sb, path);
    sb.append(" policy=");
    bare(sb, decision.policy().isEmpty() ? "-" : decision.policy());
    sb.append(" rule=")
        .append(decision.rule() < 0 ? "-" : Integer.toString(decision.rule()))
        .append(" basis=")
        .append(decision.basis())
        .append(" time=")
        .append(time)
        .append(" reason=\"");
    quoted(sb, decision.reason());
    return sb.append('"').toString();
  }

  private static void bare(StringBuilder sb, String s) {
    if (s.isEmpty()) {
      sb.append("\"\"");
      return;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c > 0x20 && c < 0x7F && c != '"' && c != '\\') {
        sb.append(c);
      } else {
        escape(sb, c);
      }
    }
  }

  private static void quoted(StringBuilder sb, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
        sb.append(c);
      } else {
        escape(sb, c);
      }
    }
  }

  private static void escape(StringBuilder sb, char c) {
    sb.append(c < 0x100 ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
  }
}
