package dev.weft.mesh.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.mesh.api.security.SpiffeId;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every caller-controlled field of an audit line is escaped: the line stays one parseable line. */
class AuditLineTest {
  private static final Pattern LINE =
      Pattern.compile(
          "^(ALLOW|DENY|INVALID) caller=(\\S+) method=(\\S+) path=(\\S+) policy=(\\S+) rule=(\\S+)"
              + " basis=(\\S+) time=(\\S+) reason=\"((?:[^\"\\\\]|\\\\x[0-9a-f]{2}|\\\\u[0-9a-f]{4})*)\"$");

  private static final String HOSTILE =
      "a\r\nDENY caller=forged \"q\" \u001b[31m \u0085 \u2028 \\ end";

  @Test
  void crLfEscQuotesAndLineSeparatorsInEveryFieldStayOnOneParseableLine() {
    Decision decision =
        new Decision(false, Decision.Basis.DENY_POLICY, "p" + HOSTILE, 3, "r" + HOSTILE);
    AuditEvent event =
        new AuditEvent(
            Instant.EPOCH,
            Optional.of(SpiffeId.parse("spiffe://weft.test/ns/default/sa/x")),
            "M" + HOSTILE,
            "/" + HOSTILE,
            decision);
    String line = event.toLogLine();
    assertThat(line.chars().filter(c -> c < 0x20 || c == 0x7f || c >= 0x80)).isEmpty();
    Matcher m = LINE.matcher(line);
    assertThat(m.matches()).as(line).isTrue();
    assertThat(unescape(m.group(3))).isEqualTo("M" + HOSTILE);
    assertThat(unescape(m.group(4))).isEqualTo("/" + HOSTILE);
    assertThat(unescape(m.group(5))).isEqualTo("p" + HOSTILE);
    assertThat(unescape(m.group(9))).isEqualTo("r" + HOSTILE);
    assertThat(m.group(2)).isEqualTo("spiffe://weft.test/ns/default/sa/x");
  }

  @Test
  void anInvalidRequestIsAuditedAsSuch() {
    AuditEvent event =
        new AuditEvent(
            Instant.EPOCH, Optional.empty(), "GET", "/a%00", Decision.invalid("bad request: NUL"));
    assertThat(event.toLogLine())
        .startsWith("INVALID caller=- method=GET path=/a%00 policy=- rule=-");
  }

  /** Reverses the line's escapes, to show no information was lost. */
  private static String unescape(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && s.charAt(i + 1) == 'x') {
        out.append((char) Integer.parseInt(s.substring(i + 2, i + 4), 16));
        i += 3;
      } else if (c == '\\' && s.charAt(i + 1) == 'u') {
        out.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
        i += 5;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
