package dev.weft.mesh.security.internal;

/**
 * Makes text that a peer controls (certificate subjects and issuers, subject alternative names)
 * safe to put in an error message or a log line: a crafted certificate must not be able to end a
 * log line and forge the next one, hide text with terminal escapes, or close the quotes the text is
 * shown in.
 *
 * <p>Escaped: the backslash, both quote characters, every C0 control character and DEL (CR, LF and
 * TAB as {@code \r \n \t}, the rest, ESC included, as {@code \}{@code u001b}), every C1 control
 * character (NEL U+0085 included), the Unicode line and paragraph separators, the bidirectional
 * overrides and isolates, and unpaired surrogates. Everything else is kept as is.
 */
public final class SafeText {
  private SafeText() {}

  /** {@code text} with the characters above escaped; {@code "null"} for null. */
  public static String escape(String text) {
    if (text == null) {
      return "null";
    }
    StringBuilder sb = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      String replacement = replacement(text, i, c);
      if (replacement == null) {
        if (sb != null) {
          sb.append(c);
        }
        continue;
      }
      if (sb == null) {
        sb = new StringBuilder(text.length() + 16).append(text, 0, i);
      }
      sb.append(replacement);
    }
    return sb == null ? text : sb.toString();
  }

  /** {@code text} escaped and between single quotes. */
  public static String quote(String text) {
    return "'" + escape(text) + "'";
  }

  private static String replacement(String text, int i, char c) {
    switch (c) {
      case '\\':
        return "\\\\";
      case '\'':
        return "\\'";
      case '"':
        return "\\\"";
      case '\r':
        return "\\r";
      case '\n':
        return "\\n";
      case '\t':
        return "\\t";
      default:
        break;
    }
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029') {
      return unicode(c);
    }
    if ((c >= '\u202a' && c <= '\u202e')
        || (c >= '\u2066' && c <= '\u2069')
        || c == '\u200e'
        || c == '\u200f'
        || c == '\u061c') {
      return unicode(c);
    }
    if (Character.isHighSurrogate(c)) {
      return i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))
          ? null
          : unicode(c);
    }
    if (Character.isLowSurrogate(c)) {
      return i > 0 && Character.isHighSurrogate(text.charAt(i - 1)) ? null : unicode(c);
    }
    return null;
  }

  private static String unicode(char c) {
    return String.format("\\u%04x", (int) c);
  }
}
