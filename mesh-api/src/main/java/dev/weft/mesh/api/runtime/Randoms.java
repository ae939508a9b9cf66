package dev.weft.mesh.api.runtime;

import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;

/** Sources of randomness for the engine. */
public final class Randoms {

  /** Fast, unseeded, contention-free randomness for production. */
  public static RandomSource threadLocal() {
    return ThreadLocalSource.INSTANCE;
  }

  /** Reproducible randomness for tests (thread-safe, slower). */
  public static RandomSource seeded(long seed) {
    Random random = new Random(seed);
    return new RandomSource() {
      @Override
      public int nextInt(int bound) {
        return random.nextInt(bound);
      }

      @Override
      public double nextDouble() {
        return random.nextDouble();
      }

      @Override
      public long nextLong() {
        return random.nextLong();
      }
    };
  }

  private enum ThreadLocalSource implements RandomSource {
    INSTANCE;

    @Override
    public int nextInt(int bound) {
      return ThreadLocalRandom.current().nextInt(bound);
    }

    @Override
    public double nextDouble() {
      return ThreadLocalRandom.current().nextDouble();
    }

    @Override
    public long nextLong() {
      return ThreadLocalRandom.current().nextLong();
    }
  }

  private Randoms() {}
}
