package dev.weft.benchmarks.load;

import java.util.Arrays;

/**
 * Latency samples in nanoseconds, sorted once for percentiles. Written by many threads through
 * {@link #add}.
 */
final class Latencies {
  private long[] samples;
  private int size;

  Latencies(int capacity) {
    samples = new long[Math.max(16, capacity)];
  }

  synchronized void add(long nanos) {
    if (size == samples.length) {
      samples = Arrays.copyOf(samples, size * 2);
    }
    samples[size++] = nanos;
  }

  synchronized void addAll(Latencies other) {
    long[] o;
    int n;
    synchronized (other) {
      o = other.samples;
      n = other.size;
    }
    if (size + n > samples.length) {
      samples = Arrays.copyOf(samples, Math.max(size + n, samples.length * 2));
    }
    System.arraycopy(o, 0, samples, size, n);
    size += n;
  }

  synchronized int size() {
    return size;
  }

  /** The q-quantile (0..1) in microseconds, nearest rank. */
  synchronized double percentileMicros(double q) {
    if (size == 0) {
      return Double.NaN;
    }
    Arrays.sort(samples, 0, size);
    int rank = (int) Math.ceil(q * size) - 1;
    return samples[Math.max(0, Math.min(size - 1, rank))] / 1000.0;
  }
}
