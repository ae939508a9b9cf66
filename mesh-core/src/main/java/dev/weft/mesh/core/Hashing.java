package dev.weft.mesh.core;

/** Stable 64-bit hashing of call keys for hashing load balancers. Allocation-free. */
final class Hashing {
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  /** FNV-1a over the UTF-16 units of {@code s}, finished with a 64-bit mixer for spread. */
  static long hash(CharSequence s) {
    long h = FNV_OFFSET;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      h ^= c & 0xff;
      h *= FNV_PRIME;
      h ^= c >>> 8;
      h *= FNV_PRIME;
    }
    return mix(h);
  }

  /** The finalizer of MurmurHash3 (public domain), to spread explicit keys too. */
  static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  /** Envoy's way of folding several hash policies into one key. */
  static long combine(long previous, long next) {
    return Long.rotateLeft(previous, 1) ^ next;
  }

  private Hashing() {}
}
