package dev.weft.mesh.core.internal.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.weft.mesh.api.runtime.RandomSource;
import dev.weft.mesh.api.runtime.Randoms;
import org.junit.jupiter.api.Test;

class WeightedSamplerTest {

  private static double[] shares(WeightedSampler sampler, int size, long seed, int draws) {
    RandomSource random = Randoms.seeded(seed);
    double[] shares = new double[size];
    for (int i = 0; i < draws; i++) {
      shares[sampler.sample(random)] += 1.0 / draws;
    }
    return shares;
  }

  @Test
  void wholeWeightsAreDrawnInProportionAndAZeroWeightNever() {
    double[] shares = shares(WeightedSampler.of(new int[] {0, 90, 0, 10}), 4, 1, 100_000);
    assertThat(shares[0]).isZero();
    assertThat(shares[2]).isZero();
    // The standard deviation of each share is under 0.001; 0.005 is five of them.
    assertThat(shares[1]).isCloseTo(0.9, within(0.005));
    assertThat(shares[3]).isCloseTo(0.1, within(0.005));
  }

  @Test
  void realWeightsAreDrawnInProportion() {
    double[] shares = shares(WeightedSampler.of(new double[] {0.5, 1.5, 2.0}), 3, 2, 100_000);
    assertThat(shares[0]).isCloseTo(0.125, within(0.005));
    assertThat(shares[1]).isCloseTo(0.375, within(0.005));
    assertThat(shares[2]).isCloseTo(0.5, within(0.005));
  }

  @Test
  void oneWeightNeedsNoDraw() {
    RandomSource noDraws =
        new RandomSource() {
          @Override
          public int nextInt(int bound) {
            throw new AssertionError("drew a number");
          }

          @Override
          public double nextDouble() {
            throw new AssertionError("drew a number");
          }

          @Override
          public long nextLong() {
            throw new AssertionError("drew a number");
          }
        };
    assertThat(WeightedSampler.of(new int[] {7}).sample(noDraws)).isZero();
  }

  @Test
  void noWeightsNegativeOnesOrAllZeroAreRefused() {
    assertThatThrownBy(() -> WeightedSampler.of(new int[0]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WeightedSampler.of(new int[] {1, -1}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WeightedSampler.of(new int[] {0, 0}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WeightedSampler.of(new double[] {Double.NaN}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
