package dev.weft.mesh.console;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A stand-in for a canary guard, fed through the console's {@link CanaryStatusProvider}: the test
 * moves it from observing to rolled back, as a guard would on a bad verdict. Thread-safe.
 */
final class SimulatedGuard implements CanaryStatusProvider {
  private volatile CanaryStatus status;
  private final List<CanaryStatus.Event> history = new ArrayList<>();

  SimulatedGuard() {
    synchronized (this) {
      history.add(new CanaryStatus.Event(Instant.now(), "started", "canary reviews/v2 at 10%"));
      status = status("observing", 10, "healthy so far: errors 0.0% vs 0.0% over 120 calls");
    }
  }

  synchronized void rollBack(String evidence) {
    history.add(new CanaryStatus.Event(Instant.now(), "rolled-back", evidence));
    status = status("rolled back", 0, evidence);
  }

  private CanaryStatus status(String state, double percent, String verdict) {
    return new CanaryStatus(
        "reviews",
        "default",
        "reviews/v1",
        "reviews/v2",
        state,
        percent,
        10,
        verdict,
        List.copyOf(history));
  }

  @Override
  public List<CanaryStatus> canaries() {
    return List.of(status);
  }
}
