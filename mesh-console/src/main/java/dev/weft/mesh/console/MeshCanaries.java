package dev.weft.mesh.console;

import dev.weft.mesh.api.config.CanaryPolicy;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.core.CanaryEvent;
import dev.weft.mesh.core.Mesh;
import java.util.List;
import java.util.Locale;

/**
 * The console's view of the mesh's own canary guards ({@link Mesh#canaryGuards()}): each guard's
 * state, the canary's share now and in the configuration, the last evaluation's evidence and the
 * guard's events. Reads only what the guards computed at their last evaluation.
 */
final class MeshCanaries implements CanaryStatusProvider {
  private final Mesh mesh;

  MeshCanaries(Mesh mesh) {
    this.mesh = mesh;
  }

  @Override
  public List<CanaryStatus> canaries() {
    MeshConfig config = mesh.config();
    return mesh.canaryGuards().statuses().stream()
        .map(s -> toConsole(s, configuredPercent(config, s.service(), s.route(), s.canary())))
        .toList();
  }

  private static CanaryStatus toConsole(dev.weft.mesh.core.CanaryStatus s, double configured) {
    return new CanaryStatus(
        s.service(),
        s.route(),
        s.baseline(),
        s.canary(),
        s.state().name().toLowerCase(Locale.ROOT).replace('_', ' '),
        s.canaryPercent(),
        configured,
        s.evidence() == null ? "" : describe(s.evidence()),
        s.history().stream()
            .map(
                e ->
                    new CanaryStatus.Event(
                        e.at(),
                        e.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                        e.reason()))
            .toList());
  }

  private static String describe(CanaryEvent.Evidence e) {
    String limit =
        Double.isFinite(e.errorRateLimit())
            ? String.format(Locale.ROOT, "%.2f%%", 100 * e.errorRateLimit())
            : "no limit yet";
    return String.format(
        Locale.ROOT,
        "baseline %d calls, %d failed; canary %d calls, %d failed (held to %s);"
            + " latency %d ms vs %d ms; statistics %.2f (errors) %.2f (latency) of %.2f",
        e.baselineCalls(),
        e.baselineFailures(),
        e.canaryCalls(),
        e.canaryFailures(),
        limit,
        e.baselineLatency() == null ? 0 : e.baselineLatency().toMillis(),
        e.canaryLatency() == null ? 0 : e.canaryLatency().toMillis(),
        e.errorStatistic(),
        e.latencyStatistic(),
        e.threshold());
  }

  /**
   * The canary's share of the route's two guarded destinations in the configuration, in percent.
   */
  private static double configuredPercent(
      MeshConfig config, String service, String route, String canary) {
    if (config == null) {
      return 0;
    }
    for (Service s : config.services()) {
      if (!s.name().equals(service)) {
        continue;
      }
      for (Route r : s.routes()) {
        if (!r.name().equals(route) || !r.canary().enabled()) {
          continue;
        }
        long canaryWeight = 0;
        long pair = 0;
        for (Destination d : r.destinations()) {
          String ref = CanaryPolicy.ref(d);
          if (ref.equals(canary)) {
            canaryWeight += d.weight();
          }
          if (ref.equals(canary) || ref.equals(r.canary().baseline())) {
            pair += d.weight();
          }
        }
        return pair == 0 ? 0 : 100.0 * canaryWeight / pair;
      }
    }
    return 0;
  }
}
