package dev.weft.mesh.core.internal.health;

/**
 * Told when the set of endpoints ejected by an {@link OutlierDetector} changes, so the engine can
 * build new pickers that leave the ejected endpoints out (it reads {@link OutlierTracker#ejected()}
 * while building them).
 *
 * <p>Threading: called from the thread that caused the change, outside any lock of the detector:
 * from the call path when consecutive failures eject an endpoint, from the scheduler thread at the
 * end of {@link OutlierDetector#runInterval()} (once, however many endpoints changed), and from the
 * thread that calls {@link OutlierDetector#onConfigChange}. Calls may therefore overlap; an
 * implementation must be thread-safe, return quickly and never block (rebuilding pickers off the
 * call path, or coalescing requests to rebuild, is the usual answer). An exception it throws is
 * logged and otherwise ignored.
 */
@FunctionalInterface
public interface EjectionListener {

  /** The set of ejected endpoints changed: at least one endpoint was ejected or returned. */
  void ejectionsChanged();

  /** A listener that does nothing. */
  static EjectionListener none() {
    return () -> {};
  }
}
