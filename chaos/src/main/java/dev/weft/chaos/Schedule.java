package dev.weft.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The phases of a run, in order: written {@code kind:duration} separated by commas, for example
 * {@code baseline:20s,kill:20s,outage:40s}. Durations are a whole number followed by {@code ms},
 * {@code s} or {@code m}.
 */
record Schedule(List<Phase> phases) {

  /** What a phase injects. */
  enum Kind {
    /** Load only. */
    BASELINE("baseline"),
    /** One backend of each protocol killed at 10% of the phase and restarted at 50%. */
    KILL("kill"),
    /** One backend of each protocol accepts and never answers from 10% to 70% of the phase. */
    STALL("stall"),
    /** One backend of each protocol resets every connection, twice a second, from 10% to 70%. */
    RESET("reset"),
    /**
     * The control plane stopped at 5 s and restarted with another version 10 s before the end (a 40
     * s phase: a 25 s outage; the default schedule gives 45 s, so 30 s).
     */
    OUTAGE("outage"),
    /** Ten configuration updates a second, alternating the routes' weights, the whole phase. */
    CHURN("churn"),
    /** Every certificate (the client's and each server's) re-issued at 10% and 50%. */
    ROTATION("rotation"),
    /** Ten times the load from 25% to 75% of the phase. */
    BURST("burst"),
    /** Every backend answers with an error the retry policy retries, the whole phase. */
    ALL_FAIL("all-fail");

    final String label;

    Kind(String label) {
      this.label = label;
    }

    static Kind of(String label) {
      for (Kind k : values()) {
        if (k.label.equals(label)) {
          return k;
        }
      }
      throw new IllegalArgumentException(
          "unknown phase '" + label + "'; known: " + List.of(labels()));
    }

    private static String[] labels() {
      Kind[] all = values();
      String[] out = new String[all.length];
      for (int i = 0; i < all.length; i++) {
        out[i] = all[i].label;
      }
      return out;
    }
  }

  /** One phase: what it injects and for how long. */
  record Phase(Kind kind, Duration duration) {
    @Override
    public String toString() {
      return kind.label + ":" + duration.toMillis() / 1000.0 + "s";
    }
  }

  /** The default run: under 10 minutes with start-up. */
  static final String DEFAULT =
      "baseline:20s,kill:20s,stall:20s,reset:20s,outage:45s,churn:30s,rotation:20s,burst:20s,"
          + "baseline:10s,all-fail:20s,baseline:10s";

  /** The cycle a soak repeats: every fault but the outage, the burst and all-fail. */
  static final String SOAK_CYCLE =
      "baseline:10s,kill:10s,reset:10s,churn:10s,rotation:10s,stall:10s";

  Schedule {
    if (phases.isEmpty()) {
      throw new IllegalArgumentException("a schedule needs at least one phase");
    }
    phases = List.copyOf(phases);
  }

  static Schedule parse(String text) {
    List<Phase> phases = new ArrayList<>();
    for (String part : text.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      int colon = p.indexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException(
            "phase '" + p + "': expected kind:duration, for example baseline:20s");
      }
      Kind kind = Kind.of(p.substring(0, colon).trim().toLowerCase(Locale.ROOT));
      Duration d = duration(p.substring(colon + 1).trim());
      if (kind == Kind.OUTAGE && d.compareTo(Duration.ofSeconds(20)) < 0) {
        throw new IllegalArgumentException(
            "phase '" + p + "': an outage phase needs at least 20s (5s before, 10s after)");
      }
      phases.add(new Phase(kind, d));
    }
    return new Schedule(phases);
  }

  /** {@code 250ms}, {@code 20s}, {@code 10m}: a positive whole number and a unit. */
  static Duration duration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    int i = 0;
    while (i < t.length() && Character.isDigit(t.charAt(i))) {
      i++;
    }
    if (i == 0 || i > 9) {
      throw new IllegalArgumentException(
          "duration '" + text + "': expected a whole number and ms, s or m, for example 20s");
    }
    long n = Long.parseLong(t.substring(0, i));
    Duration d =
        switch (t.substring(i)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          default ->
              throw new IllegalArgumentException(
                  "duration '" + text + "': unit must be ms, s or m");
        };
    if (d.isZero()) {
      throw new IllegalArgumentException("duration '" + text + "': must be above 0");
    }
    return d;
  }

  Duration total() {
    Duration t = Duration.ZERO;
    for (Phase p : phases) {
      t = t.plus(p.duration());
    }
    return t;
  }
}
