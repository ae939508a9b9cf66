package dev.weft.mesh.kubernetes.internal;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations in the Gateway API's format (GEP-2257): {@code 1h}, {@code 10s}, {@code 1m30s500ms}.
 */
final class GatewayDurations {
  private static final Pattern WHOLE = Pattern.compile("([0-9]{1,5}(h|m|s|ms)){1,4}");
  private static final Pattern PART = Pattern.compile("([0-9]{1,5})(h|ms|m|s)");

  private GatewayDurations() {}

  static Duration parse(String value, String field) throws RouteRejectedException {
    if (value == null || !WHOLE.matcher(value).matches()) {
      throw new RouteRejectedException(
          field, "'" + value + "' is not a Gateway API duration (for example 10s, 500ms, 1m30s)");
    }
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(value);
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      total =
          switch (m.group(2)) {
            case "h" -> total.plusHours(n);
            case "m" -> total.plusMinutes(n);
            case "s" -> total.plusSeconds(n);
            default -> total.plusMillis(n);
          };
    }
    return total;
  }
}
