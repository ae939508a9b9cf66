package dev.weft.mesh.core.internal.lb;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Hashes {@code <address>_<n>} for n = 0, 1, 2... (the ring-hash entry keys of Envoy and gRFC A42)
 * without making a string per entry. Not thread-safe: one per ring build.
 */
final class HashKeys {
  private byte[] buffer;
  private final int prefixLength;

  HashKeys(String address) {
    byte[] prefix = (address + "_").getBytes(StandardCharsets.UTF_8);
    this.prefixLength = prefix.length;
    this.buffer = Arrays.copyOf(prefix, prefix.length + 20);
  }

  long hash(long n) {
    // Write the decimal digits of n after the prefix.
    int digits = 1;
    for (long rest = n / 10; rest > 0; rest /= 10) {
      digits++;
    }
    if (buffer.length < prefixLength + digits) {
      buffer = Arrays.copyOf(buffer, prefixLength + digits);
    }
    long v = n;
    for (int i = prefixLength + digits - 1; i >= prefixLength; i--) {
      buffer[i] = (byte) ('0' + (v % 10));
      v /= 10;
    }
    return XxHash64.hash(buffer, prefixLength + digits, 0);
  }
}
