package dev.weft.mesh.core;

/**
 * Where a call of {@link CallExecution} is, and the changes it may make:
 *
 * <ul>
 *   <li>NEW to DELAYED (a fault delays it), RUNNING (admitted) or DONE (refused or aborted);
 *   <li>DELAYED to RUNNING or DONE;
 *   <li>RUNNING to COMMITTED, CANCELLING or DONE;
 *   <li>COMMITTED to CANCELLING or DONE;
 *   <li>CANCELLING to DONE.
 * </ul>
 *
 * <p>Every change goes through {@link #moveTo}, which throws {@link IllegalStateException} on one
 * the diagram does not have: that is a bug in the attempt loop, and it fails loudly rather than
 * leaving a call half-ended. A call is guarded by its own monitor, so the state needs no atomics.
 */
enum CallState {
  /** Created; admission and fault injection have not run. */
  NEW,
  /** Held by a fault-injected delay, not yet admitted. */
  DELAYED,
  /** Admitted (it holds one of the cluster's concurrent requests): attempts run, retry or hedge. */
  RUNNING,
  /** An attempt committed: no more retries or hedges, and the winner's end is the call's. */
  COMMITTED,
  /** The caller cancelled while attempts were in flight: waiting for them to end. */
  CANCELLING,
  /** Ended: the listener is told once, and nothing changes any more. */
  DONE;

  /** {@code next}, if the diagram leads there from here; a change it does not have is a bug. */
  CallState moveTo(CallState next) {
    boolean legal =
        switch (this) {
          case NEW -> next == DELAYED || next == RUNNING || next == DONE;
          case DELAYED -> next == RUNNING || next == DONE;
          case RUNNING -> next == COMMITTED || next == CANCELLING || next == DONE;
          case COMMITTED -> next == CANCELLING || next == DONE;
          case CANCELLING -> next == DONE;
          case DONE -> false;
        };
    if (!legal) {
      throw new IllegalStateException("a call cannot move from " + this + " to " + next);
    }
    return next;
  }

  /**
   * Whether a call here holds a concurrent-request permit (it passed admission and has not ended).
   */
  boolean admitted() {
    return this == RUNNING || this == COMMITTED || this == CANCELLING;
  }
}
