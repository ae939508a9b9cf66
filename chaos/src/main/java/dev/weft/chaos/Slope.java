package dev.weft.chaos;

/** The least-squares slope of samples over time, per minute. */
final class Slope {
  private Slope() {}

  /**
   * The slope of {@code values} over {@code seconds} (same length, at least two distinct times), in
   * units per minute.
   */
  static double perMinute(double[] seconds, double[] values) {
    if (seconds.length != values.length || seconds.length < 2) {
      throw new IllegalArgumentException("need two or more (time, value) pairs");
    }
    int n = seconds.length;
    double mx = 0;
    double my = 0;
    for (int i = 0; i < n; i++) {
      mx += seconds[i];
      my += values[i];
    }
    mx /= n;
    my /= n;
    double sxy = 0;
    double sxx = 0;
    for (int i = 0; i < n; i++) {
      sxy += (seconds[i] - mx) * (values[i] - my);
      sxx += (seconds[i] - mx) * (seconds[i] - mx);
    }
    if (sxx == 0) {
      throw new IllegalArgumentException("the times are all equal");
    }
    return sxy / sxx * 60;
  }
}
