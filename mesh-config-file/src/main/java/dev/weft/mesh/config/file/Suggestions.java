package dev.weft.mesh.config.file;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** Finds the known name a mistyped one was probably meant to be, for "did you mean" hints. */
final class Suggestions {

  /**
   * The name in {@code known} closest to {@code given}, if one is close enough to be a likely typo.
   */
  static Optional<String> closest(String given, Collection<String> known) {
    if (given.length() > 64) {
      return Optional.empty();
    }
    String g = normalize(given);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      String n = normalize(k);
      if (n.equals(g)) {
        return Optional.of(k);
      }
      int d = distance(g, n);
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    int allowed = Math.max(1, Math.min(3, g.length() / 3));
    return bestDistance <= allowed ? Optional.ofNullable(best) : Optional.empty();
  }

  /**
   * Folds case and drops separators, so that {@code max_attempts} and {@code Max-Attempts} match
   * {@code maxAttempts}.
   */
  private static String normalize(String s) {
    return s.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
  }

  /** Levenshtein distance, counting a swap of two neighbours as one edit. */
  private static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  private Suggestions() {}
}
