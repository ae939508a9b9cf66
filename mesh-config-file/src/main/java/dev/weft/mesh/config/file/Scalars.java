package dev.weft.mesh.config.file;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Typed values from YAML scalars. Each parser throws {@link IllegalArgumentException} with a
 * message that completes "the key ..." ("must be an integer, was the string 'x'").
 */
final class Scalars {
  private static final Pattern DECIMAL = Pattern.compile("[-+]?(0|[1-9][0-9]*)");
  private static final Pattern PLAIN_FLOAT =
      Pattern.compile("[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?");

  /** A string: the text of any scalar but null (so {@code 1.10} stays {@code "1.10"}). */
  static String text(Node node) {
    if (node instanceof ScalarNode scalar && !scalar.getTag().equals(Tag.NULL)) {
      return scalar.getValue();
    }
    throw new IllegalArgumentException("must be a string, was " + ReadContext.describe(node));
  }

  /** A decimal integer from {@code min} to {@code max}. */
  static long whole(Node node, long min, long max) {
    if (!(node instanceof ScalarNode scalar) || !scalar.getTag().equals(Tag.INT)) {
      String what =
          node instanceof ScalarNode s && s.getTag().equals(Tag.FLOAT)
              ? "a whole number"
              : "an integer";
      throw new IllegalArgumentException("must be " + what + ", was " + ReadContext.describe(node));
    }
    String digits = scalar.getValue().replace("_", "");
    if (!DECIMAL.matcher(digits).matches()) {
      throw new IllegalArgumentException(
          "must be a decimal integer, was " + ReadContext.quote(scalar.getValue()));
    }
    boolean negative = digits.startsWith("-");
    long value;
    try {
      if (digits.length() > 21) {
        throw new NumberFormatException("too many digits");
      }
      value = Long.parseLong(digits);
    } catch (NumberFormatException e) {
      throw outOfRange(negative, min, max, scalar.getValue());
    }
    if (value < min || value > max) {
      throw outOfRange(value < min, min, max, scalar.getValue());
    }
    return value;
  }

  private static IllegalArgumentException outOfRange(
      boolean tooSmall, long min, long max, String text) {
    return new IllegalArgumentException(
        tooSmall
            ? "is too small: the least allowed is " + min + ", was " + ReadContext.quote(text)
            : "is too large: the most allowed is " + max + ", was " + ReadContext.quote(text));
  }

  /**
   * A number, whole or not; {@code .inf} and {@code .nan} included (the model rejects them where it
   * must).
   */
  static double number(Node node) {
    if (!(node instanceof ScalarNode scalar)
        || !(scalar.getTag().equals(Tag.INT) || scalar.getTag().equals(Tag.FLOAT))) {
      throw new IllegalArgumentException("must be a number, was " + ReadContext.describe(node));
    }
    String text = scalar.getValue().replace("_", "");
    String lower = text.toLowerCase(Locale.ROOT);
    switch (lower) {
      case ".inf", "+.inf" -> {
        return Double.POSITIVE_INFINITY;
      }
      case "-.inf" -> {
        return Double.NEGATIVE_INFINITY;
      }
      case ".nan" -> {
        return Double.NaN;
      }
      default -> {
        if (text.length() > 400 || !PLAIN_FLOAT.matcher(text).matches()) {
          throw new IllegalArgumentException(
              "must be a decimal number, was " + ReadContext.quote(scalar.getValue()));
        }
        return Double.parseDouble(text);
      }
    }
  }

  /**
   * {@code true} or {@code false}; YAML 1.1's {@code yes}, {@code on} and the like are refused as
   * too easy to misread.
   */
  static boolean bool(Node node) {
    if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.BOOL)) {
      String value = scalar.getValue().toLowerCase(Locale.ROOT);
      if (value.equals("true")) {
        return true;
      }
      if (value.equals("false")) {
        return false;
      }
    }
    throw new IllegalArgumentException("must be true or false, was " + ReadContext.describe(node));
  }

  /** A duration with a unit ({@code 250ms}); see {@link Durations}. */
  static Duration duration(Node node) {
    if (!(node instanceof ScalarNode scalar) || scalar.getTag().equals(Tag.NULL)) {
      throw new IllegalArgumentException(
          "must be a duration such as '250ms' or '1.5s', was " + ReadContext.describe(node));
    }
    return Durations.parse(scalar.getValue());
  }

  /**
   * A free-form scalar as a plain Java value: null, Boolean, Integer (or Long when larger), Double
   * or String. Dates stay strings.
   */
  static Object plain(ScalarNode scalar) {
    Tag tag = scalar.getTag();
    if (tag.equals(Tag.NULL)) {
      return null;
    }
    if (tag.equals(Tag.BOOL)) {
      String v = scalar.getValue().toLowerCase(Locale.ROOT);
      return v.equals("true") || v.equals("yes") || v.equals("on");
    }
    if (tag.equals(Tag.INT)) {
      long v = whole(scalar, Long.MIN_VALUE, Long.MAX_VALUE);
      return v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE ? (Object) (int) v : (Object) v;
    }
    if (tag.equals(Tag.FLOAT)) {
      return number(scalar);
    }
    return scalar.getValue();
  }

  private Scalars() {}
}
