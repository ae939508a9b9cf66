package dev.weft.mesh.api.security;

import static java.util.Objects.requireNonNull;

/**
 * One Istio-style match string of an authorization policy: {@code text} (exact), {@code prefix*},
 * {@code *suffix}, or {@code *} alone (any non-empty value). The one place these patterns are
 * validated, matched and built, by the policy model, the authorizer and the xDS RBAC translation.
 */
public final class MatchPattern {

  /** How a pattern matches. */
  public enum Kind {
    /** The value equals the text. */
    EXACT,
    /** The value starts with the text ({@code text*}). */
    PREFIX,
    /** The value ends with the text ({@code *text}). */
    SUFFIX,
    /** Any non-empty value ({@code *}). */
    PRESENT
  }

  private static final MatchPattern PRESENT = new MatchPattern(Kind.PRESENT, "");

  private final Kind kind;
  private final String text;

  private MatchPattern(Kind kind, String text) {
    this.kind = kind;
    this.text = text;
  }

  /**
   * Reads a pattern.
   *
   * @throws IllegalArgumentException saying what is wrong, as {@link #problem} does
   */
  public static MatchPattern parse(String pattern) {
    String problem = problem(pattern);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    if (pattern.equals("*")) {
      return PRESENT;
    }
    if (pattern.endsWith("*")) {
      return new MatchPattern(Kind.PREFIX, pattern.substring(0, pattern.length() - 1));
    }
    if (pattern.startsWith("*")) {
      return new MatchPattern(Kind.SUFFIX, pattern.substring(1));
    }
    return new MatchPattern(Kind.EXACT, pattern);
  }

  /** What is wrong with {@code pattern} as a match string, or null when it is a valid one. */
  public static String problem(String pattern) {
    if (pattern == null) {
      return "must not be null";
    }
    if (pattern.isEmpty()) {
      return "must not be empty";
    }
    if (pattern.equals("*")) {
      return null;
    }
    int star = pattern.indexOf('*');
    if (star >= 0
        && (pattern.indexOf('*', star + 1) >= 0 || (star != 0 && star != pattern.length() - 1))) {
      return "'"
          + pattern
          + "' may only have one '*', at the start (suffix match) or the end (prefix match)";
    }
    return null;
  }

  /**
   * The pattern that matches {@code text} exactly; {@code text} must be non-empty and hold no
   * {@code *}.
   */
  public static MatchPattern exact(String text) {
    return new MatchPattern(Kind.EXACT, literal(text, false));
  }

  /** The pattern that matches values starting with {@code text}, which must hold no {@code *}. */
  public static MatchPattern prefix(String text) {
    return text.isEmpty() ? PRESENT : new MatchPattern(Kind.PREFIX, literal(text, true));
  }

  /** The pattern that matches values ending with {@code text}, which must hold no {@code *}. */
  public static MatchPattern suffix(String text) {
    return text.isEmpty() ? PRESENT : new MatchPattern(Kind.SUFFIX, literal(text, true));
  }

  /** The pattern {@code *}: any non-empty value. */
  public static MatchPattern present() {
    return PRESENT;
  }

  private static String literal(String text, boolean mayBeEmpty) {
    requireNonNull(text, "text");
    if (text.indexOf('*') >= 0) {
      throw new IllegalArgumentException(
          "'" + text + "' holds '*', which a match pattern reads as a wildcard");
    }
    if (!mayBeEmpty && text.isEmpty()) {
      throw new IllegalArgumentException("an exact match pattern must not be empty");
    }
    return text;
  }

  /** How this pattern matches. */
  public Kind kind() {
    return kind;
  }

  /**
   * The text matched against: the whole value, its prefix or its suffix; empty for {@link
   * Kind#PRESENT}.
   */
  public String text() {
    return text;
  }

  /** Whether {@code value} matches. */
  public boolean matches(String value) {
    return switch (kind) {
      case EXACT -> value.equals(text);
      case PREFIX -> value.startsWith(text);
      case SUFFIX -> value.endsWith(text);
      case PRESENT -> !value.isEmpty();
    };
  }

  /** The pattern in its written form ({@code text}, {@code text*}, {@code *text} or {@code *}). */
  @Override
  public String toString() {
    return switch (kind) {
      case EXACT -> text;
      case PREFIX -> text + "*";
      case SUFFIX -> "*" + text;
      case PRESENT -> "*";
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MatchPattern p && p.kind == kind && p.text.equals(text);
  }

  @Override
  public int hashCode() {
    return kind.hashCode() * 31 + text.hashCode();
  }
}
