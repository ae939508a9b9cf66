package dev.weft.mesh.core.internal.canary;

/**
 * The statistics behind the canary guard's tests: Chernoff (KL) confidence bounds for a binomial
 * rate and the log-likelihood ratio of a batch of Bernoulli outcomes. Stateless and exact to about
 * 1e-12.
 */
public final class Bounds {
  private Bounds() {}

  /** The binary Kullback–Leibler divergence KL(p || q) in nats. */
  public static double kl(double p, double q) {
    return term(p, q) + term(1 - p, 1 - q);
  }

  private static double term(double p, double q) {
    if (p <= 0) {
      return 0;
    }
    if (q <= 0) {
      return Double.POSITIVE_INFINITY;
    }
    return p * Math.log(p / q);
  }

  /**
   * An upper confidence bound of a rate after {@code k} events in {@code n} trials: the largest
   * {@code u} with {@code n * KL(k/n || u) <= logInverseAlpha}. By the Chernoff bound, {@code P(the
   * true rate is above u) <= exp(-logInverseAlpha)}. With {@code n == 0} it is 1.
   */
  public static double upper(long k, long n, double logInverseAlpha) {
    if (n <= 0) {
      return 1;
    }
    double p = Math.min(1, (double) k / n);
    double lo = p;
    double hi = 1;
    for (int i = 0; i < 60; i++) {
      double mid = (lo + hi) / 2;
      if (n * kl(p, mid) > logInverseAlpha) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    return lo;
  }

  /**
   * The share {@code u} above {@code q} that {@code n} independent draws below a point of
   * probability {@code q} exceed with probability at most {@code exp(-logInverseAlpha)}: the least
   * {@code u > q} with {@code n * KL(u || q) >= logInverseAlpha}, or 1 when there is none.
   */
  public static double rankShare(double q, long n, double logInverseAlpha) {
    if (n <= 0 || n * kl(1, q) < logInverseAlpha) {
      return 1;
    }
    double lo = q;
    double hi = 1;
    for (int i = 0; i < 60; i++) {
      double mid = (lo + hi) / 2;
      if (n * kl(mid, q) >= logInverseAlpha) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    return hi;
  }

  /**
   * The alternative a sequential test of rate {@code p0} looks for: three times {@code p0}, or
   * halfway to 1 when that is nearer.
   */
  public static double alternative(double p0) {
    return Math.min(3 * p0, (1 + p0) / 2);
  }

  /**
   * The log-likelihood ratio of {@code k} events in {@code n} Bernoulli trials under rate {@code
   * p1} against rate {@code p0} (0 < p0 < p1 < 1).
   */
  public static double logLikelihoodRatio(long k, long n, double p0, double p1) {
    return k * Math.log(p1 / p0) + (n - k) * Math.log((1 - p1) / (1 - p0));
  }
}
