package dev.weft.mesh.core.internal.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BoundsTest {

  @Test
  void withNoEventsTheUpperBoundIsTheExactOne() {
    // With 0 of n, P(0 events | u) = (1 - u)^n = alpha gives u = 1 - alpha^(1/n), as
    // Clopper-Pearson.
    double logInv = Math.log(1e6);
    for (long n : new long[] {10, 100, 5000}) {
      assertThat(Bounds.upper(0, n, logInv)).isCloseTo(1 - Math.pow(1e-6, 1.0 / n), within(1e-9));
    }
    assertThat(Bounds.upper(0, 0, logInv)).isEqualTo(1);
  }

  @Test
  void theUpperBoundCoversTheTrueRateAtLeastAsOftenAsPromised() {
    // alpha = 0.05: the bound may miss in at most 5% of samples (Chernoff is conservative).
    Random random = new Random(1);
    double p = 0.03;
    int misses = 0;
    int trials = 4000;
    for (int t = 0; t < trials; t++) {
      int k = 0;
      for (int i = 0; i < 300; i++) {
        k += random.nextDouble() < p ? 1 : 0;
      }
      if (Bounds.upper(k, 300, Math.log(1 / 0.05)) < p) {
        misses++;
      }
    }
    assertThat(misses).isLessThan(trials * 5 / 100);
  }

  @Test
  void theRankShareBoundsAPercentileFromAbove() {
    double u = Bounds.rankShare(0.99, 5000, Math.log(2e6));
    assertThat(u).isGreaterThan(0.99).isLessThan(0.997);
    assertThat(Bounds.rankShare(0.99, 100, Math.log(2e6))).isEqualTo(1); // too few to bound p99
  }

  @Test
  void theLikelihoodRatioFavoursTheRateNearerTheData() {
    assertThat(Bounds.logLikelihoodRatio(20, 100, 0.05, 0.15)).isPositive();
    assertThat(Bounds.logLikelihoodRatio(2, 100, 0.05, 0.15)).isNegative();
    assertThat(Bounds.alternative(0.05)).isEqualTo(0.15, within(1e-12));
    assertThat(Bounds.alternative(0.5)).isEqualTo(0.75);
  }

  @Test
  void latencyBucketsAreOrderedContiguousAndAtMostAnEighthWide() {
    for (int b = 0; b < LatencyBuckets.COUNT - 1; b++) {
      assertThat(LatencyBuckets.upper(b)).isEqualTo(LatencyBuckets.lower(b + 1));
      assertThat(LatencyBuckets.of(LatencyBuckets.lower(b))).isEqualTo(b);
      assertThat(LatencyBuckets.of(LatencyBuckets.upper(b) - 1)).isEqualTo(b);
      if (b >= 16) {
        assertThat((double) (LatencyBuckets.upper(b) - LatencyBuckets.lower(b)))
            .isLessThanOrEqualTo(LatencyBuckets.lower(b) / 8.0);
      }
    }
    assertThat(LatencyBuckets.of(Long.MAX_VALUE)).isEqualTo(LatencyBuckets.COUNT - 1);
    assertThat(LatencyBuckets.of(-5)).isZero();
  }

  @Test
  void aJudgeWaitsForMinCallsAndFiresOnAClearlyWorseCanary() {
    CanaryJudge judge = new CanaryJudge(30_000_000_000L, 100, 0.05, 0, 0.99, 1e-6);
    long t = 0;
    OutcomeRecorder baseline = new OutcomeRecorder();
    OutcomeRecorder canary = new OutcomeRecorder();
    Batch lastB = baseline.totals();
    Batch lastC = canary.totals();
    CanaryJudge.Evidence e = null;
    for (int s = 0; s < 30 && (e == null || e.test() == null); s++) {
      t += 1_000_000_000L;
      for (int i = 0; i < 40; i++) {
        baseline.record(false, 1_000_000);
        canary.record(i % 2 == 0, 1_000_000); // half fail
      }
      Batch b = baseline.totals();
      Batch c = canary.totals();
      e = judge.judge(b.since(lastB, t), c.since(lastC, t));
      lastB = b;
      lastC = c;
      if (s < 2) {
        assertThat(e.judged()).as("second %d: fewer than 100 calls", s).isFalse();
      }
    }
    assertThat(e.test()).isEqualTo(CanaryJudge.Test.ERRORS);
    assertThat(e.errorStatistic()).isGreaterThanOrEqualTo(e.threshold());
    assertThat(e.threshold()).isEqualTo(Math.log(2e6), within(1e-9));
  }
}
