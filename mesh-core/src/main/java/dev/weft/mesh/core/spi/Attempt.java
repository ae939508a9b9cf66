package dev.weft.mesh.core.spi;

/** A started attempt, as its adapter returns it. */
@FunctionalInterface
public interface Attempt {

  /**
   * Cancels the attempt if it is still running (a hedge lost, the caller cancelled). Idempotent,
   * safe to call after completion, never blocks. A cancelled attempt still reports its completion.
   */
  void cancel();
}
