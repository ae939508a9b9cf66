package dev.weft.mesh.http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The path template of an annotated client method ({@code @Get("/reviews/{id}")}), checked once: it
 * starts with {@code /}, its literal text is what a URI's path and query may hold (RFC 3986 {@code
 * pchar}, {@code /}, {@code ?} and {@code %XX} escapes; no fragment, no space, no non-ASCII), and
 * every brace belongs to a {@code {name}} variable ({@code [A-Za-z0-9_.-]+}). Expanding it escapes
 * each value as one path segment, and refuses a value that would turn its segment into {@code .} or
 * {@code ..}, so an argument never makes the request reach another path.
 */
final class PathTemplate {
  private final String template;

  /** Literal text and variables in order; {@code inQuery}: after the template's {@code ?}. */
  private final List<Part> parts;

  private final Set<String> variables;

  private record Part(String text, boolean variable, boolean inQuery) {}

  private PathTemplate(String template, List<Part> parts, Set<String> variables) {
    this.template = template;
    this.parts = List.copyOf(parts);
    this.variables = Collections.unmodifiableSet(new LinkedHashSet<>(variables));
  }

  /**
   * Parses a template; an {@link IllegalArgumentException} says what is wrong, as a phrase that
   * follows "has" ({@code a path template that does not start with '/': x}).
   */
  static PathTemplate parse(String template) {
    if (!template.startsWith("/")) {
      throw new IllegalArgumentException(
          "a path template that does not start with '/': " + template);
    }
    List<Part> parts = new ArrayList<>();
    Set<String> variables = new LinkedHashSet<>();
    StringBuilder literal = new StringBuilder();
    boolean inQuery = false;
    int i = 0;
    while (i < template.length()) {
      char c = template.charAt(i);
      if (c == '{') {
        int close = template.indexOf('}', i + 1);
        String name = close < 0 ? "" : template.substring(i + 1, close);
        if (close < 0 || !isName(name)) {
          throw problem(template, i, "a '{' that does not open a {name} variable");
        }
        if (literal.length() > 0) {
          parts.add(new Part(literal.toString(), false, inQuery));
          literal.setLength(0);
        }
        parts.add(new Part(name, true, inQuery));
        variables.add(name);
        i = close + 1;
        continue;
      }
      if (c == '}') {
        throw problem(template, i, "a '}' that closes no variable");
      }
      if (c == '%') {
        if (i + 2 >= template.length()
            || hex(template.charAt(i + 1)) < 0
            || hex(template.charAt(i + 2)) < 0) {
          throw problem(template, i, "a '%' not followed by two hex digits");
        }
        literal.append(template, i, i + 3);
        i += 3;
        continue;
      }
      if (c == '?') {
        inQuery = true;
      } else if (!isPathChar(c)) {
        throw problem(
            template,
            i,
            c < 0x20 || c >= 0x7f
                ? String.format("the character U+%04X, which a URI must percent-encode", (int) c)
                : "'" + c + "', which a URI path must percent-encode");
      }
      literal.append(c);
      i++;
    }
    if (literal.length() > 0) {
      parts.add(new Part(literal.toString(), false, inQuery));
    }
    return new PathTemplate(template, parts, variables);
  }

  private static IllegalArgumentException problem(String template, int index, String what) {
    return new IllegalArgumentException(
        "a path template with " + what + " at index " + index + ": " + template);
  }

  private static boolean isName(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(isAlphaNumeric(c) || c == '_' || c == '.' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  private static boolean isAlphaNumeric(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  /** RFC 3986 {@code pchar} (escapes aside) and {@code /}. */
  private static boolean isPathChar(char c) {
    return isAlphaNumeric(c) || "-._~!$&'()*+,;=:@/".indexOf(c) >= 0;
  }

  private static int hex(char c) {
    return Character.digit(c, 16) >= 0 && c < 0x80 ? Character.digit(c, 16) : -1;
  }

  /**
   * Whether the template has a query ({@code ?}), so that further parameters join with {@code &}.
   */
  boolean hasQuery() {
    return template.indexOf('?') >= 0;
  }

  /** The variables, in the order they first appear. */
  Set<String> variables() {
    return variables;
  }

  /**
   * The path (and query, if the template has one) with each variable replaced by its value escaped
   * as one path segment. Every variable must have a value; a value that would make its segment
   * {@code .} or {@code ..} is refused with an {@link IllegalArgumentException}.
   */
  String expand(Map<String, String> values) {
    StringBuilder out = new StringBuilder(template.length() + 16);
    int segmentStart = 0;
    boolean segmentHasVariable = false;
    String lastVariable = null;
    for (Part p : parts) {
      if (p.variable()) {
        String value = values.get(p.text());
        if (value == null) {
          throw new IllegalArgumentException("no value for {" + p.text() + "}");
        }
        out.append(encodePathSegment(value));
        if (!p.inQuery()) {
          segmentHasVariable = true;
          lastVariable = p.text();
        }
        continue;
      }
      String text = p.text();
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (!p.inQuery() && (c == '/' || c == '?')) {
          checkSegment(out, segmentStart, segmentHasVariable, lastVariable, values);
          segmentHasVariable = false;
          segmentStart = out.length() + 1;
        }
        out.append(c);
      }
    }
    checkSegment(out, segmentStart, segmentHasVariable, lastVariable, values);
    return out.toString();
  }

  private static void checkSegment(
      StringBuilder out,
      int start,
      boolean hasVariable,
      String variable,
      Map<String, String> values) {
    if (!hasVariable || start > out.length()) {
      return;
    }
    String segment = out.substring(start);
    if (segment.equals(".") || segment.equals("..")) {
      throw new IllegalArgumentException(
          "@Path(\""
              + variable
              + "\") is '"
              + values.get(variable)
              + "', which would make the request reach another path ('"
              + segment
              + "')");
    }
  }

  /** One path segment: everything but unreserved characters escaped ({@code /} included). */
  static String encodePathSegment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Override
  public String toString() {
    return template;
  }
}
