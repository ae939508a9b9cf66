package dev.weft.mesh.api.runtime;

/** Thread-safe randomness for load balancing and sampling, so tests can fix the seed. */
public interface RandomSource {

  /**
   * A uniformly distributed value from 0 (inclusive) to {@code bound} (exclusive); bound is
   * positive.
   */
  int nextInt(int bound);

  /** A uniformly distributed value from 0.0 (inclusive) to 1.0 (exclusive). */
  double nextDouble();

  /** A uniformly distributed long. */
  long nextLong();
}
