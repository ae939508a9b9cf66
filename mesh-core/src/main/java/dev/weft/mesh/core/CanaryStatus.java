package dev.weft.mesh.core;

import java.time.Instant;
import java.util.List;

/**
 * The state of one canary guard at its last evaluation, for consoles and control planes. Immutable.
 *
 * @param service the service of the guarded route
 * @param route the guarded route
 * @param baseline the baseline destination ({@code cluster} or {@code cluster/subset})
 * @param canary the canary destination
 * @param state what the guard is doing
 * @param canaryPercent the canary's share of the two destinations' calls now, in percent
 * @param weights every destination of the route with the weight in force in this process
 * @param steps the promotion steps in percent (empty without promotion)
 * @param step the index of the step in force, or -1 before the first (or without promotion)
 * @param nextStepAt when the schedule reaches the next step, or null when there is none
 * @param evidence the figures of the last evaluation
 * @param since when the guard started (its configuration was applied)
 * @param history what the guard did, oldest first (the last {@value CanaryGuards#HISTORY} events)
 */
public record CanaryStatus(
    String service,
    String route,
    String baseline,
    String canary,
    State state,
    double canaryPercent,
    List<Weight> weights,
    List<Double> steps,
    int step,
    Instant nextStepAt,
    CanaryEvent.Evidence evidence,
    Instant since,
    List<CanaryEvent> history) {

  public CanaryStatus {
    weights = List.copyOf(weights);
    steps = List.copyOf(steps);
    history = List.copyOf(history);
  }

  /** What a guard is doing. */
  public enum State {
    /** Not yet enough calls to each destination in the window to judge. */
    WARMING_UP,
    /** Judging, and the canary is not worse than the baseline. */
    HEALTHY,
    /** The canary was found worse; its weight is 0 until the configuration changes. */
    ROLLED_BACK,
    /** The canary reached the last step, 100%: there is no baseline traffic left to compare. */
    PROMOTED
  }

  /**
   * A destination of the route and its weight in force.
   *
   * @param destination {@code cluster} or {@code cluster/subset}
   * @param weight the weight calls are split by now (the route's configured weights scaled)
   */
  public record Weight(String destination, int weight) {}
}
