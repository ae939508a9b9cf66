package dev.weft.mesh.core.internal.lb;

import dev.weft.mesh.api.runtime.RandomSource;
import dev.weft.mesh.api.spi.EndpointPicker;
import dev.weft.mesh.api.spi.LbEndpoint;
import dev.weft.mesh.api.spi.PickContext;
import java.util.Arrays;
import java.util.List;

/**
 * A consistent-hash ring (Envoy's ring hash, gRFC A42). Each endpoint owns ring entries at the
 * xxHash64 of {@code <address>_<n>}; a call goes to the owner of the first entry at or after its
 * hash, wrapping around. Immutable; a pick is one binary search and allocates nothing.
 *
 * <p>Entries per endpoint are proportional to its weight: each unit of weight gets the same number
 * of entries, a power of two chosen so that the ring has at least {@code minRingSize} entries.
 * Rounding to a power of two (rather than sizing the ring exactly as Envoy does) keeps an
 * endpoint's entries unchanged when others join or leave, so only the keys of the endpoints that
 * changed move. When the weights are too large for {@code maxRingSize}, entries are scaled down to
 * fit, each endpoint keeping at least one.
 *
 * <p>The ring is one sorted {@code long[]}: each entry holds its position with the sign bit flipped
 * (so signed order is unsigned position order) and the owner's index in the low bits, which the
 * position gives up. Positions are thus a little coarser than 64 bits, which does not matter for
 * balance.
 */
final class RingHashPicker implements EndpointPicker {
  private final LbEndpoint[] endpoints;
  private final long[] ring;
  private final long ownerMask;
  private final RandomSource random;

  RingHashPicker(
      List<? extends LbEndpoint> list, int minRingSize, int maxRingSize, RandomSource random) {
    this.endpoints = list.toArray(new LbEndpoint[0]);
    this.random = random;
    int n = endpoints.length;
    int ownerBits = n <= 1 ? 0 : 64 - Long.numberOfLeadingZeros(n - 1L);
    this.ownerMask = ownerBits == 0 ? 0 : (1L << ownerBits) - 1;
    long[] counts = entryCounts(endpoints, minRingSize, maxRingSize);
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    long[] entries = new long[Math.toIntExact(total)];
    int next = 0;
    for (int i = 0; i < n; i++) {
      HashKeys keys = new HashKeys(endpoints[i].endpoint().address());
      for (long k = 0; k < counts[i]; k++) {
        entries[next++] = ((keys.hash(k) & ~ownerMask) ^ Long.MIN_VALUE) | i;
      }
    }
    Arrays.sort(entries);
    this.ring = entries;
  }

  /** How many ring entries each endpoint gets. */
  static long[] entryCounts(LbEndpoint[] endpoints, int minRingSize, int maxRingSize) {
    int n = endpoints.length;
    long totalWeight = 0;
    for (LbEndpoint e : endpoints) {
      totalWeight += Math.max(1, e.weight());
    }
    long perUnit = Math.max(1, (minRingSize + totalWeight - 1) / totalWeight);
    perUnit = Long.highestOneBit(perUnit) == perUnit ? perUnit : Long.highestOneBit(perUnit) << 1;
    long[] counts = new long[n];
    if (totalWeight * perUnit <= maxRingSize) {
      for (int i = 0; i < n; i++) {
        counts[i] = Math.max(1, endpoints[i].weight()) * perUnit;
      }
      return counts;
    }
    // Scale down to fit, accumulating fractions so that the total stays within the cap.
    double scale = (double) maxRingSize / totalWeight;
    double target = 0;
    long placed = 0;
    for (int i = 0; i < n; i++) {
      target += Math.max(1, endpoints[i].weight()) * scale;
      long upTo = (long) Math.floor(target);
      counts[i] = Math.max(1, upTo - placed);
      placed += counts[i];
    }
    return counts;
  }

  int size() {
    return ring.length;
  }

  @Override
  public LbEndpoint pick(PickContext context) {
    long hash = context.hasHash() ? context.hash() : random.nextLong();
    int index = indexFor(hash);
    LbEndpoint chosen = endpoints[(int) (ring[index] & ownerMask)];
    if (!context.avoid(chosen) || Avoidance.nextAllowed(endpoints, 0, context) < 0) {
      return chosen;
    }
    // Walk on around the ring to the next endpoint that is not avoided (one exists).
    for (int step = 1; ; step++) {
      LbEndpoint next = endpoints[(int) (ring[(index + step) % ring.length] & ownerMask)];
      if (!context.avoid(next)) {
        return next;
      }
    }
  }

  /** The index of the first entry at or after {@code hash}, wrapping to 0 past the end. */
  private int indexFor(long hash) {
    long key = (hash & ~ownerMask) ^ Long.MIN_VALUE;
    int found = Arrays.binarySearch(ring, key);
    int index = found >= 0 ? found : -found - 1;
    return index == ring.length ? 0 : index;
  }
}
