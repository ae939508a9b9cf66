package dev.weft.mesh.core.spi;

/** Where an adapter reports what became of one attempt. Thread-safe; never blocks. */
public interface AttemptSink<R> {

  /**
   * Claims the call for this attempt once the server has started answering (response headers or the
   * first message of a stream): from then on nothing is retried or hedged. Returns false when
   * another attempt already won or the call is over; the adapter then cancels this attempt and
   * delivers nothing of it to the caller. Unary adapters that deliver only at the end need not call
   * this.
   */
  boolean commit();

  /** Reports the attempt's end, exactly once. */
  void complete(R result, AttemptOutcome outcome);
}
