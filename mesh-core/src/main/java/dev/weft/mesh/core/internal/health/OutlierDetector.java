package dev.weft.mesh.core.internal.health;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.config.OutlierDetection;
import dev.weft.mesh.api.runtime.Nanos;
import dev.weft.mesh.api.runtime.RandomSource;
import dev.weft.mesh.api.runtime.Ticker;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outlier detection for one cluster, with the semantics of Envoy's outlier detection and gRFC A50:
 * endpoints that fail too often are ejected (left out of load balancing) for a while.
 *
 * <ul>
 *   <li><b>Consecutive failures</b> (Envoy only; A50 does not have them): {@code
 *       consecutiveFailures} failures in a row, or {@code consecutiveGatewayFailures} gateway
 *       failures in a row, eject the endpoint at once, from the thread that recorded the last
 *       failure (see {@link OutlierTracker}).
 *   <li><b>Success rate</b>, each interval: among the endpoints in service with at least {@code
 *       requestVolume} calls in the interval, if there are at least {@code minimumHosts} of them,
 *       an endpoint whose success rate is below {@code mean - stdevFactor * stdev} (population
 *       standard deviation) is ejected with a chance of {@code enforcingPercent}%.
 *   <li><b>Failure percentage</b>, each interval: among the same kind of endpoints (with the
 *       algorithm's own volume and minimum), an endpoint with more than {@code threshold}% failures
 *       is ejected with a chance of {@code enforcingPercent}%. (A50 and grpc-java say "more than";
 *       Envoy ejects at the threshold too. Weft follows A50, as the model's javadoc says.)
 *   <li><b>Ejection time</b>: an ejection increments the endpoint's multiplier and lasts {@code
 *       min(baseEjectionTime * multiplier, max(baseEjectionTime, maxEjectionTime))}; the endpoint
 *       returns at the first {@link #runInterval()} after that. Each interval an endpoint stays in
 *       service from start to end, its multiplier goes down by one (A50; Envoy does the same in
 *       effect). The multiplier stops growing once the ejection time reaches the cap, so a flapping
 *       endpoint does not build up a debt that takes hours to decay.
 *   <li><b>Most ejected at once</b>: an endpoint is ejected only while fewer than {@code
 *       maxEjectionPercent}% of the cluster's endpoints are ejected. This is gRFC A50's rule as
 *       grpc-java and grpc-go implement it (both stop once the ejected percentage is at or above
 *       the maximum; the gRFC's algorithm text compares with "greater than", but its config field
 *       promises that one address can be ejected whatever the value), and it is the model's
 *       promise: with a maximum above zero at least one endpoint can always be ejected, even when
 *       the percentage of the cluster rounds down to less than one endpoint (10% of 5 endpoints
 *       ejects one). Envoy by default ejects only while {@code 100 * (ejected + 1) / total <= max}
 *       (so 10% of 5 ejects none unless its {@code always_eject_one_host} is set). The two agree
 *       whenever {@code max * total / 100} is a whole number (10 endpoints, 30%: exactly 3);
 *       otherwise Weft rounds up where Envoy rounds down. A maximum of 0 ejects nothing.
 *   <li>Endpoints already ejected are left out of the success-rate statistics and are not ejected
 *       again (as Envoy does).
 * </ul>
 *
 * <p>Threading: {@link #newTracker} and {@link #remove} change membership; they are called serially
 * (never concurrently with each other), off the call path. {@link #runInterval()} is called every
 * {@code interval} by the engine's scheduler, never concurrently with itself, though it may overlap
 * membership changes and any number of recording threads. {@link #onConfigChange} is called off the
 * call path, serially with membership changes. The ejection a call-path thread causes (through
 * {@link OutlierTracker#record}) is lock-free: the ejected count is reserved with a compare-and-set
 * against {@code maxEjectionPercent} before the tracker's state is switched, so concurrent
 * ejections from the call path and the scheduler never exceed the maximum. The {@link
 * EjectionListener} is called outside any lock, from the thread that caused the change.
 */
public final class OutlierDetector {
  private static final Logger log = LoggerFactory.getLogger(OutlierDetector.class);
  private static final OutlierTracker[] NO_TRACKERS = new OutlierTracker[0];

  private final Ticker ticker;
  private final RandomSource random;
  private final EjectionListener listener;
  private final AtomicInteger ejectedCount = new AtomicInteger();
  private final AtomicLong unreportedEjections = new AtomicLong();
  private final AtomicBoolean listenerFailureLogged = new AtomicBoolean();
  private volatile OutlierDetection config;

  /** Copy-on-write: replaced by membership changes, read by runInterval and the ejection check. */
  private volatile OutlierTracker[] members = NO_TRACKERS;

  /** Counts runInterval calls; written only by runInterval. */
  private volatile long runs;

  public OutlierDetector(
      OutlierDetection config, Ticker ticker, RandomSource random, EjectionListener listener) {
    this.config = requireNonNull(config, "config");
    this.ticker = requireNonNull(ticker, "ticker");
    this.random = requireNonNull(random, "random");
    this.listener = requireNonNull(listener, "listener");
  }

  /** Starts tracking an endpoint that joined the cluster. Serial, off the call path. */
  public OutlierTracker newTracker(String address) {
    requireNonNull(address, "address");
    OutlierTracker tracker = new OutlierTracker(this, address);
    OutlierTracker[] current = members;
    OutlierTracker[] next = Arrays.copyOf(current, current.length + 1);
    next[current.length] = tracker;
    members = next;
    return tracker;
  }

  /**
   * Stops tracking an endpoint that left the cluster; the tracker never ejects again. The listener
   * is not called: the caller is already rebuilding for the membership change. Serial, off the call
   * path.
   */
  public void remove(OutlierTracker tracker) {
    requireNonNull(tracker, "tracker");
    if (tracker.detector() != this) {
      throw new IllegalArgumentException(tracker + " belongs to another detector");
    }
    OutlierTracker[] current = members;
    int index = -1;
    for (int i = 0; i < current.length; i++) {
      if (current[i] == tracker) {
        index = i;
        break;
      }
    }
    if (index < 0) {
      return;
    }
    OutlierTracker[] next = new OutlierTracker[current.length - 1];
    System.arraycopy(current, 0, next, 0, index);
    System.arraycopy(current, index + 1, next, index, current.length - index - 1);
    // Shrink the membership before giving back the ejection slot, so that the percentage never
    // looks lower than it is to a concurrent ejection.
    members = next;
    if (tracker.markRemoved()) {
      ejectedCount.decrementAndGet();
    }
  }

  /**
   * Applies new settings without losing the endpoints' state: current ejections keep the end time
   * they were given, counts and multipliers carry on. When the new settings disable detection,
   * every endpoint returns to service and its history is forgotten (the listener is called if any
   * was ejected). The engine reschedules {@link #runInterval()} if the interval changed.
   */
  public void onConfigChange(OutlierDetection newConfig) {
    this.config = requireNonNull(newConfig, "newConfig");
    if (!newConfig.enabled() && resetAll()) {
      notifyListener();
    }
  }

  /**
   * Runs one detection interval; called every {@code interval} by the engine's scheduler, never
   * concurrently with itself. In order: returns endpoints whose ejection time has passed, closes
   * the interval's counts, runs success-rate ejection, then failure-percentage ejection, then
   * lowers the multiplier of endpoints that stayed in service for the whole interval. Calls the
   * listener once if any endpoint was ejected or returned.
   */
  public void runInterval() {
    OutlierDetection cfg = config;
    OutlierTracker[] trackers = members;
    long run = ++runs;
    if (!cfg.enabled()) {
      // Detection was switched off; a call-path ejection may have raced with the switch.
      if (resetAll()) {
        notifyListener();
      }
      return;
    }
    long now = ticker.nanoTime();
    boolean changed = false;
    for (OutlierTracker tracker : trackers) {
      if (tracker.unejectIfExpired(now, run)) {
        ejectedCount.decrementAndGet();
        changed = true;
      }
      tracker.closeInterval();
    }
    if (cfg.successRate().enabled() || cfg.failurePercentage().enabled()) {
      // Which endpoints were in service when the interval closed: both algorithms judge the same
      // set, whatever either of them (or a concurrent call-path ejection) ejects meanwhile.
      boolean[] inService = new boolean[trackers.length];
      for (int i = 0; i < trackers.length; i++) {
        inService[i] = !trackers[i].ejected();
      }
      if (cfg.successRate().enabled()) {
        changed |= ejectBySuccessRate(cfg, trackers, inService, now);
      }
      if (cfg.failurePercentage().enabled()) {
        changed |= ejectByFailurePercentage(cfg, trackers, inService, now);
      }
    }
    for (OutlierTracker tracker : trackers) {
      tracker.decayMultiplier(run);
    }
    if (changed) {
      notifyListener();
    }
  }

  private boolean ejectBySuccessRate(
      OutlierDetection cfg, OutlierTracker[] trackers, boolean[] inService, long now) {
    OutlierDetection.SuccessRate sr = cfg.successRate();
    int qualifying = 0;
    double sum = 0;
    for (int i = 0; i < trackers.length; i++) {
      if (inService[i] && trackers[i].lastIntervalVolume() >= sr.requestVolume()) {
        qualifying++;
        sum += successRate(trackers[i]);
      }
    }
    if (qualifying == 0 || qualifying < sr.minimumHosts()) {
      return false;
    }
    double mean = sum / qualifying;
    double squaredDeviations = 0;
    for (int i = 0; i < trackers.length; i++) {
      if (inService[i] && trackers[i].lastIntervalVolume() >= sr.requestVolume()) {
        double deviation = successRate(trackers[i]) - mean;
        squaredDeviations += deviation * deviation;
      }
    }
    double stdev = Math.sqrt(squaredDeviations / qualifying);
    double requiredRate = mean - sr.stdevFactor() * stdev;
    boolean changed = false;
    for (int i = 0; i < trackers.length; i++) {
      OutlierTracker tracker = trackers[i];
      if (inService[i]
          && tracker.lastIntervalVolume() >= sr.requestVolume()
          && successRate(tracker) < requiredRate
          && enforced(sr.enforcingPercent())
          && tryEject(tracker, cfg, now)) {
        changed = true;
      }
    }
    return changed;
  }

  private static double successRate(OutlierTracker tracker) {
    return (double) tracker.lastIntervalSuccesses() / tracker.lastIntervalVolume();
  }

  private boolean ejectByFailurePercentage(
      OutlierDetection cfg, OutlierTracker[] trackers, boolean[] inService, long now) {
    OutlierDetection.FailurePercentage fp = cfg.failurePercentage();
    int qualifying = 0;
    for (int i = 0; i < trackers.length; i++) {
      if (inService[i] && trackers[i].lastIntervalVolume() >= fp.requestVolume()) {
        qualifying++;
      }
    }
    if (qualifying == 0 || qualifying < fp.minimumHosts()) {
      return false;
    }
    boolean changed = false;
    for (int i = 0; i < trackers.length; i++) {
      OutlierTracker tracker = trackers[i];
      long volume = tracker.lastIntervalVolume();
      if (inService[i]
          && volume >= fp.requestVolume()
          && tracker.lastIntervalFailures() * 100 > (long) fp.threshold() * volume
          && enforced(fp.enforcingPercent())
          && tryEject(tracker, cfg, now)) {
        changed = true;
      }
    }
    return changed;
  }

  private boolean enforced(int enforcingPercent) {
    return enforcingPercent >= 100 || random.nextInt(100) < enforcingPercent;
  }

  /**
   * The ejections made since the last call (and since this detector was made): for the listener,
   * which counts them in {@code weft.cluster.ejections}. Any thread.
   */
  public long takeNewEjections() {
    return unreportedEjections.getAndSet(0);
  }

  /** Called on the call path by a tracker whose consecutive-failure count reached its threshold. */
  void ejectForConsecutiveFailures(OutlierTracker tracker) {
    OutlierDetection cfg = config;
    if (cfg.enabled() && tryEject(tracker, cfg, ticker.nanoTime())) {
      notifyListener();
    }
  }

  /** Ejects the tracker if the maximum allows it and it is not ejected already. Lock-free. */
  private boolean tryEject(OutlierTracker tracker, OutlierDetection cfg, long now) {
    if (tracker.ejected() || !reserveEjection(cfg.maxEjectionPercent())) {
      return false;
    }
    long base = Nanos.of(cfg.baseEjectionTime());
    long cap = Math.max(base, Nanos.of(cfg.maxEjectionTime()));
    // The smallest multiplier whose ejection time reaches the cap.
    long multiplierToCap = cap / base + (cap % base == 0 ? 0 : 1);
    int maxMultiplier = (int) Math.min(Integer.MAX_VALUE, multiplierToCap);
    if (tracker.eject(now, base, cap, maxMultiplier)) {
      unreportedEjections.incrementAndGet();
      return true;
    }
    ejectedCount.decrementAndGet();
    return false;
  }

  /** Takes one ejection slot if fewer than maxEjectionPercent of the endpoints are ejected. */
  private boolean reserveEjection(int maxEjectionPercent) {
    for (; ; ) {
      int ejected = ejectedCount.get();
      long total = members.length;
      if (ejected * 100L >= maxEjectionPercent * total) {
        return false;
      }
      if (ejectedCount.compareAndSet(ejected, ejected + 1)) {
        return true;
      }
    }
  }

  private boolean resetAll() {
    long run = runs;
    boolean changed = false;
    for (OutlierTracker tracker : members) {
      if (tracker.reset(run)) {
        ejectedCount.decrementAndGet();
        changed = true;
      }
    }
    return changed;
  }

  private void notifyListener() {
    try {
      listener.ejectionsChanged();
    } catch (RuntimeException e) {
      if (listenerFailureLogged.compareAndSet(false, true)) {
        log.warn(
            "Ejection listener {} failed; ejections still apply (further failures are logged at debug)",
            listener,
            e);
      } else {
        log.debug("Ejection listener {} failed", listener, e);
      }
    }
  }

  /** The settings in force. */
  public OutlierDetection config() {
    return config;
  }

  Ticker ticker() {
    return ticker;
  }

  /** The endpoints tracked now, in the order they joined. */
  public List<OutlierTracker> trackers() {
    return List.of(members);
  }

  /** How many endpoints are ejected now. */
  public int ejectedCount() {
    return ejectedCount.get();
  }
}
