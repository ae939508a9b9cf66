package dev.weft.mesh.security;

/** One Istio-style match string, compiled: exact, {@code prefix*}, {@code *suffix}, or {@code *} (non-empty). */
final class StringMatcher {
  private enum Kind { EXACT, PREFIX, SUFFIX, PRESENT }

  private final Kind kind;
  private final String text;
  private final String pattern;

  private StringMatcher(Kind kind, String text, String pattern) {
    this.kind = kind;
    this.text = text;
    this.pattern = pattern;
  }

  /** Compiles a pattern already validated by the policy model. */
  static StringMatcher of(String pattern) {
    if (pattern.equals("*")) {
      return new StringMatcher(Kind.PRESENT, "", pattern);
    }
    if (pattern.endsWith("*")) {
      return new StringMatcher(Kind.PREFIX, pattern.substring(0, pattern.length() - 1), pattern);
    }
    if (pattern.startsWith("*")) {
      return new StringMatcher(Kind.SUFFIX, pattern.substring(1), pattern);
    }
    return new StringMatcher(Kind.EXACT, pattern, pattern);
  }

  boolean matches(String value) {
    return switch (kind) {
      case EXACT -> value.equals(text);
      case PREFIX -> value.startsWith(text);
      case SUFFIX -> value.endsWith(text);
      case PRESENT -> !value.isEmpty();
    };
  }

  String pattern() {
    return pattern;
  }

  @Override
  public String toString() {
    return pattern;
  }
}
