package dev.weft.mesh.security;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.security.PathNormalization;
import dev.weft.mesh.api.security.PathNormalization.EscapedSlashes;
import dev.weft.mesh.security.internal.SafeText;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a request's raw path into the one path authorization checks, the way servers route it:
 * unreserved characters decoded, hex in the remaining escapes in upper case, escaped slashes and
 * backslashes handled as {@link PathNormalization#escapedSlashes()} says, runs of slashes merged
 * (when asked), then {@code .} and {@code ..} segments removed (RFC 3986, section 5.2.4). A path a
 * server could read in more than one way is refused with {@link RejectedPathException}, which the
 * server filters answer with 400.
 *
 * <p>Slashes are merged before dot segments are removed, as Tomcat does: {@code /a//../b} is {@code
 * /b} here, so a server that merges cannot route to a path the policy did not see. The normalized
 * path of an already normal path is the same string (no copy).
 *
 * <p>Thread-safe and immutable.
 */
public final class PathNormalizer {
  private static final PathNormalizer DEFAULT = new PathNormalizer(PathNormalization.DEFAULT);
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private final PathNormalization options;

  private PathNormalizer(PathNormalization options) {
    this.options = requireNonNull(options, "options");
  }

  /** A normalizer with {@code options}. */
  public static PathNormalizer of(PathNormalization options) {
    return options.equals(PathNormalization.DEFAULT) ? DEFAULT : new PathNormalizer(options);
  }

  /** A normalizer with the safe defaults ({@link PathNormalization#DEFAULT}). */
  public static PathNormalizer defaults() {
    return DEFAULT;
  }

  /** The options this normalizer applies. */
  public PathNormalization options() {
    return options;
  }

  /** A path refused because it has no single reading; the message says what and where. */
  public static final class RejectedPathException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    RejectedPathException(String message) {
      super(message);
    }
  }

  /**
   * The normalized form of {@code rawPath} (as it arrived, still percent-encoded; a query after
   * {@code ?} is dropped).
   *
   * @throws RejectedPathException when the path does not start with {@code /}, holds a NUL byte, a
   *     control character, a space, a raw non-ASCII character, a fragment or invalid
   *     percent-encoding, or an escaped slash or backslash the options refuse
   */
  public String normalize(String rawPath) {
    requireNonNull(rawPath, "rawPath");
    int end = rawPath.indexOf('?');
    String path = end < 0 ? rawPath : rawPath.substring(0, end);
    if (path.isEmpty() || path.charAt(0) != '/') {
      throw new RejectedPathException("the path must start with '/': " + printable(path));
    }
    String decoded = decodeUnreserved(path);
    String merged = options.mergeSlashes() ? mergeSlashes(decoded) : decoded;
    return removeDotSegments(merged);
  }

  /**
   * {@code path} with every escape decoded (UTF-8), as servers decode a path before they pick a
   * handler; the form to compare with a server's own reading of a normalized path. Invalid escapes
   * and bytes that are not UTF-8 are kept as they are, so they never compare equal by accident.
   */
  public static String decode(String path) {
    if (path.indexOf('%') < 0) {
      return path;
    }
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(path.length());
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '%'
          && i + 2 < path.length()
          && hex(path.charAt(i + 1)) >= 0
          && hex(path.charAt(i + 2)) >= 0) {
        bytes.write(hex(path.charAt(i + 1)) * 16 + hex(path.charAt(i + 2)));
        i += 2;
      } else if (c < 0x80) {
        bytes.write(c);
      } else {
        byte[] b = String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        bytes.write(b, 0, b.length);
      }
    }
    java.nio.charset.CharsetDecoder utf8 =
        java.nio.charset.StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
            .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
    try {
      return utf8.decode(java.nio.ByteBuffer.wrap(bytes.toByteArray())).toString();
    } catch (java.nio.charset.CharacterCodingException notUtf8) {
      return path;
    }
  }

  /** Decodes unreserved escapes, upper-cases the others, applies the escaped-slash action. */
  private String decodeUnreserved(String path) {
    StringBuilder out = null;
    int n = path.length();
    for (int i = 0; i < n; i++) {
      char c = path.charAt(i);
      if (c < 0x21 || c > 0x7E) {
        throw new RejectedPathException(
            describe(c) + " at index " + i + " of the path " + printable(path));
      }
      if (c == '#') {
        throw new RejectedPathException(
            "a fragment ('#') at index " + i + " of the path " + printable(path));
      }
      if (c == '%') {
        if (i + 2 >= n || hex(path.charAt(i + 1)) < 0 || hex(path.charAt(i + 2)) < 0) {
          throw new RejectedPathException(
              "invalid percent-encoding at index " + i + " of the path " + printable(path));
        }
        int b = hex(path.charAt(i + 1)) * 16 + hex(path.charAt(i + 2));
        if (out == null) {
          out = new StringBuilder(n).append(path, 0, i);
        }
        if (b == 0) {
          throw new RejectedPathException(
              "an encoded NUL byte (%00) at index " + i + " of the path " + printable(path));
        }
        if (unreserved(b)) {
          out.append((char) b);
        } else if (b == '/' || b == '\\') {
          slash(out, b == '/' ? "%2F" : "%5C", path, i);
        } else {
          out.append('%').append(HEX[b >> 4]).append(HEX[b & 0xF]);
        }
        i += 2;
      } else if (c == '\\') {
        if (out == null) {
          out = new StringBuilder(n).append(path, 0, i);
        }
        slash(out, "\\", path, i);
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? path : out.toString();
  }

  private void slash(StringBuilder out, String written, String path, int index) {
    EscapedSlashes action = options.escapedSlashes();
    switch (action) {
      case REJECT ->
          throw new RejectedPathException(
              "'"
                  + written
                  + "' at index "
                  + index
                  + " of the path "
                  + printable(path)
                  + " is refused (servers disagree whether it separates segments)");
      case KEEP -> out.append(written);
      case UNESCAPE -> out.append('/');
    }
  }

  private static String mergeSlashes(String path) {
    if (!path.contains("//")) {
      return path;
    }
    StringBuilder out = new StringBuilder(path.length());
    char previous = 0;
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c != '/' || previous != '/') {
        out.append(c);
      }
      previous = c;
    }
    return out.toString();
  }

  /** RFC 3986 section 5.2.4, on a path that starts with '/'. */
  private static String removeDotSegments(String path) {
    if (!hasDotSegment(path)) {
      return path;
    }
    List<String> kept = new ArrayList<>();
    String[] segments = path.substring(1).split("/", -1);
    boolean trailingSlash = false;
    for (int i = 0; i < segments.length; i++) {
      String s = segments[i];
      boolean last = i == segments.length - 1;
      if (s.equals(".")) {
        trailingSlash = last;
      } else if (s.equals("..")) {
        if (!kept.isEmpty()) {
          kept.remove(kept.size() - 1);
        }
        trailingSlash = last;
      } else {
        kept.add(s);
        trailingSlash = false;
      }
    }
    StringBuilder out = new StringBuilder(path.length());
    for (String s : kept) {
      out.append('/').append(s);
    }
    if (trailingSlash || out.length() == 0) {
      out.append('/');
    }
    return out.toString();
  }

  private static boolean hasDotSegment(String path) {
    int n = path.length();
    for (int i = 0; i < n; i++) {
      if (path.charAt(i) == '.' && path.charAt(i - 1) == '/') {
        int j = i + 1;
        if (j < n && path.charAt(j) == '.') {
          j++;
        }
        if (j == n || path.charAt(j) == '/') {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean unreserved(int b) {
    return (b >= 'a' && b <= 'z')
        || (b >= 'A' && b <= 'Z')
        || (b >= '0' && b <= '9')
        || b == '-'
        || b == '.'
        || b == '_'
        || b == '~';
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static String describe(char c) {
    if (c == 0) {
      return "a NUL byte";
    }
    if (c == ' ') {
      return "a space";
    }
    if (c < 0x20 || c == 0x7F) {
      return String.format("a control character (0x%02X)", (int) c);
    }
    return String.format("a non-ASCII character (U+%04X)", (int) c);
  }

  /**
   * A caller's text for an error message, quoted and escaped by the one escaper for peer-controlled
   * text ({@link SafeText}), and cut at 256 characters.
   */
  static String printable(String s) {
    return SafeText.quote(s.length() > 256 ? s.substring(0, 256) + "..." : s);
  }
}
