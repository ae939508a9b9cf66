package dev.weft.mesh.config.file;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as the file writes them: a number with a unit ({@code 250ms}, {@code 1.5s}, {@code 2m},
 * {@code 1h}), several of them in a row ({@code 1m30s}), or a bare {@code 0}.
 */
final class Durations {
  private static final Pattern PART =
      Pattern.compile("([0-9]{1,19})(?:\\.([0-9]{1,9}))?([^0-9.]*)");
  private static final Pattern NUMBER =
      Pattern.compile("[-+]?[0-9._]*[0-9][0-9._]*(?:[eE][-+]?[0-9]+)?");
  private static final String[] UNITS = {"h", "m", "s", "ms", "us", "ns"};
  private static final long[] UNIT_NANOS = {
    3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L, 1L
  };
  private static final int MAX_DIGITS = 19;
  private static final BigInteger NANOS_PER_SECOND = BigInteger.valueOf(1_000_000_000L);

  /** The duration {@code text} stands for. */
  static Duration parse(String text) {
    String s = text.trim();
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    if (NUMBER.matcher(s).matches()) {
      throw new IllegalArgumentException(
          "needs a unit, for example '"
              + example(s)
              + "' (units: ns, us, ms, s, m, h); was '"
              + s
              + "'");
    }
    boolean negative = s.startsWith("-");
    String body = negative ? s.substring(1) : s;
    Matcher m = PART.matcher(body);
    BigDecimal nanos = BigDecimal.ZERO;
    int at = 0;
    while (at < body.length()) {
      m.region(at, body.length());
      if (!m.lookingAt()) {
        throw notADuration(text);
      }
      long unitNanos = unitNanos(m.group(3), text);
      BigDecimal amount =
          new BigDecimal(m.group(2) == null ? m.group(1) : m.group(1) + "." + m.group(2));
      nanos = nanos.add(amount.multiply(BigDecimal.valueOf(unitNanos)));
      at = m.end();
    }
    if (at == 0) {
      throw notADuration(text);
    }
    BigInteger whole;
    try {
      whole = nanos.toBigIntegerExact();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("is finer than a nanosecond: '" + text.trim() + "'");
    }
    BigInteger[] secondsAndNanos =
        (negative ? whole.negate() : whole).divideAndRemainder(NANOS_PER_SECOND);
    BigInteger seconds = secondsAndNanos[0];
    BigInteger nanosOfSecond = secondsAndNanos[1];
    if (nanosOfSecond.signum() < 0) {
      seconds = seconds.subtract(BigInteger.ONE);
      nanosOfSecond = nanosOfSecond.add(NANOS_PER_SECOND);
    }
    if (seconds.bitLength() > 63) {
      throw new IllegalArgumentException("is too long: '" + text.trim() + "'");
    }
    return Duration.ofSeconds(seconds.longValueExact(), nanosOfSecond.longValueExact());
  }

  /**
   * The exact text for {@code d} in the largest unit that divides it ({@code 1500ms}, {@code 2m},
   * {@code 0s}); durations too long for that are written in seconds with a fraction.
   */
  static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    BigInteger nanos =
        BigInteger.valueOf(d.getSeconds())
            .multiply(NANOS_PER_SECOND)
            .add(BigInteger.valueOf(d.getNano()));
    String sign = nanos.signum() < 0 ? "-" : "";
    nanos = nanos.abs();
    for (int i = 0; i < UNITS.length; i++) {
      BigInteger[] qr = nanos.divideAndRemainder(BigInteger.valueOf(UNIT_NANOS[i]));
      if (qr[1].signum() == 0 && qr[0].toString().length() <= MAX_DIGITS) {
        return sign + qr[0] + UNITS[i];
      }
    }
    BigInteger[] secondsAndNanos = nanos.divideAndRemainder(NANOS_PER_SECOND);
    String fraction =
        String.format("%09d", secondsAndNanos[1].longValueExact()).replaceAll("0+$", "");
    return sign + secondsAndNanos[0] + (fraction.isEmpty() ? "" : "." + fraction) + "s";
  }

  private static long unitNanos(String unit, String text) {
    String u = unit.equals("µs") ? "us" : unit;
    for (int i = 0; i < UNITS.length; i++) {
      if (UNITS[i].equals(u)) {
        return UNIT_NANOS[i];
      }
    }
    if (u.isEmpty()) {
      throw new IllegalArgumentException(
          "needs a unit after each number (ns, us, ms, s, m, h); was '" + text.trim() + "'");
    }
    if (!u.chars().allMatch(Character::isLetter)) {
      throw notADuration(text);
    }
    throw new IllegalArgumentException(
        "has the unknown unit '"
            + unit
            + "'; use ns, us, ms, s, m or h; was '"
            + text.trim()
            + "'");
  }

  private static String example(String number) {
    String n = number.toLowerCase(Locale.ROOT);
    return n.matches("[0-9]{1,6}") ? n + "s" : "250ms";
  }

  private static IllegalArgumentException notADuration(String text) {
    return new IllegalArgumentException(
        "must be a duration such as '250ms', '1.5s', '2m' or '1h'; was '" + text.trim() + "'");
  }

  private Durations() {}
}
