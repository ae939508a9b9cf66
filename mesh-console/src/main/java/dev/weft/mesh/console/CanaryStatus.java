package dev.weft.mesh.console;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * The state of one canary guard, as the console shows it.
 *
 * @param service the guarded service
 * @param route the guarded route
 * @param baseline the baseline destination ({@code cluster} or {@code cluster/subset})
 * @param canary the canary destination
 * @param state the guard's state in a word or two, such as {@code observing}, {@code promoting},
 *     {@code promoted} or {@code rolled back}
 * @param canaryPercent the share of the route's traffic the canary has now, in percent (0 after a
 *     rollback)
 * @param configuredPercent the share the configuration gives it, in percent
 * @param verdict the latest verdict with its evidence (rates, latencies, call counts), or empty
 * @param history the guard's events, oldest first (bounded by the guard)
 */
public record CanaryStatus(
    String service,
    String route,
    String baseline,
    String canary,
    String state,
    double canaryPercent,
    double configuredPercent,
    String verdict,
    List<Event> history) {
  public CanaryStatus {
    requireNonNull(service, "service");
    requireNonNull(route, "route");
    requireNonNull(baseline, "baseline");
    requireNonNull(canary, "canary");
    requireNonNull(state, "state");
    requireNonNull(verdict, "verdict");
    history = List.copyOf(history);
  }

  /**
   * One event of a guard: a step of promotion, a rollback, a reset by a new configuration.
   *
   * @param time when it happened
   * @param kind what happened in a word, such as {@code promoted}, {@code rolled-back}
   * @param detail the evidence or the new weights
   */
  public record Event(Instant time, String kind, String detail) {
    public Event {
      requireNonNull(time, "time");
      requireNonNull(kind, "kind");
      requireNonNull(detail, "detail");
    }
  }
}
