package dev.weft.mesh.core.internal.lb;

import java.nio.charset.StandardCharsets;

/**
 * The 64-bit xxHash of a byte string (the hash that Envoy and gRPC use to place ring-hash entries),
 * plus a 64-bit finalizer to spread keys that are not already well mixed. Stateless.
 */
final class XxHash64 {
  private static final long P1 = 0x9E3779B185EBCA87L;
  private static final long P2 = 0xC2B2AE3D27D4EB4FL;
  private static final long P3 = 0x165667B19E3779F9L;
  private static final long P4 = 0x85EBCA77C2B2AE63L;
  private static final long P5 = 0x27D4EB2F165667C5L;

  static long hash(String text, long seed) {
    return hash(text.getBytes(StandardCharsets.UTF_8), seed);
  }

  static long hash(byte[] data, long seed) {
    return hash(data, data.length, seed);
  }

  /** The hash of the first {@code length} bytes of {@code data}. */
  static long hash(byte[] data, int length, long seed) {
    int offset = 0;
    long h;
    if (length >= 32) {
      long v1 = seed + P1 + P2;
      long v2 = seed + P2;
      long v3 = seed;
      long v4 = seed - P1;
      int limit = length - 32;
      do {
        v1 = round(v1, readLong(data, offset));
        v2 = round(v2, readLong(data, offset + 8));
        v3 = round(v3, readLong(data, offset + 16));
        v4 = round(v4, readLong(data, offset + 24));
        offset += 32;
      } while (offset <= limit);
      h =
          Long.rotateLeft(v1, 1)
              + Long.rotateLeft(v2, 7)
              + Long.rotateLeft(v3, 12)
              + Long.rotateLeft(v4, 18);
      h = mergeRound(h, v1);
      h = mergeRound(h, v2);
      h = mergeRound(h, v3);
      h = mergeRound(h, v4);
    } else {
      h = seed + P5;
    }
    h += length;
    while (offset + 8 <= length) {
      h ^= round(0, readLong(data, offset));
      h = Long.rotateLeft(h, 27) * P1 + P4;
      offset += 8;
    }
    if (offset + 4 <= length) {
      h ^= (readInt(data, offset) & 0xFFFFFFFFL) * P1;
      h = Long.rotateLeft(h, 23) * P2 + P3;
      offset += 4;
    }
    while (offset < length) {
      h ^= (data[offset] & 0xFFL) * P5;
      h = Long.rotateLeft(h, 11) * P1;
      offset++;
    }
    h ^= h >>> 33;
    h *= P2;
    h ^= h >>> 29;
    h *= P3;
    h ^= h >>> 32;
    return h;
  }

  /**
   * Spreads the bits of a 64-bit value (the SplitMix64 finalizer), so that call hashes made from
   * small or sequential numbers still land evenly.
   */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static long round(long acc, long input) {
    acc += input * P2;
    acc = Long.rotateLeft(acc, 31);
    return acc * P1;
  }

  private static long mergeRound(long acc, long val) {
    acc ^= round(0, val);
    return acc * P1 + P4;
  }

  private static long readLong(byte[] b, int i) {
    return (b[i] & 0xFFL)
        | (b[i + 1] & 0xFFL) << 8
        | (b[i + 2] & 0xFFL) << 16
        | (b[i + 3] & 0xFFL) << 24
        | (b[i + 4] & 0xFFL) << 32
        | (b[i + 5] & 0xFFL) << 40
        | (b[i + 6] & 0xFFL) << 48
        | (b[i + 7] & 0xFFL) << 56;
  }

  private static int readInt(byte[] b, int i) {
    return (b[i] & 0xFF)
        | (b[i + 1] & 0xFF) << 8
        | (b[i + 2] & 0xFF) << 16
        | (b[i + 3] & 0xFF) << 24;
  }

  private XxHash64() {}
}
