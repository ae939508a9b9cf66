package dev.weft.mesh.core.internal.lb;

import dev.weft.mesh.api.runtime.RandomSource;
import dev.weft.mesh.api.spi.EndpointPicker;
import dev.weft.mesh.api.spi.LbEndpoint;
import dev.weft.mesh.api.spi.PickContext;
import java.util.List;

/**
 * A Maglev lookup table (Eisenbud et al., NSDI 2016, as Envoy builds it). Every endpoint walks its
 * own permutation of the table's slots, from an offset and a skip derived from two hashes of its
 * address, and takes the first free slot on each of its turns; a heavier endpoint takes turns more
 * often, so its share of slots follows its weight. A call goes to the owner of slot {@code hash mod
 * tableSize}. Immutable; a pick is one array read and allocates nothing.
 */
final class MaglevPicker implements EndpointPicker {
  private final LbEndpoint[] endpoints;
  private final int[] table;
  private final RandomSource random;

  MaglevPicker(List<? extends LbEndpoint> list, int tableSize, RandomSource random) {
    this.endpoints = list.toArray(new LbEndpoint[0]);
    this.random = random;
    this.table = build(endpoints, tableSize);
  }

  private static int[] build(LbEndpoint[] endpoints, int size) {
    int n = endpoints.length;
    long[] offset = new long[n];
    long[] skip = new long[n];
    long[] next = new long[n];
    long[] weight = new long[n];
    long[] due = new long[n];
    long maxWeight = 1;
    for (int i = 0; i < n; i++) {
      String address = endpoints[i].endpoint().address();
      offset[i] = Long.remainderUnsigned(XxHash64.hash(address, 0), size);
      skip[i] = Long.remainderUnsigned(XxHash64.hash(address, 1), size - 1) + 1;
      weight[i] = Math.max(1, endpoints[i].weight());
      maxWeight = Math.max(maxWeight, weight[i]);
    }
    int[] table = new int[size];
    java.util.Arrays.fill(table, -1);
    int filled = 0;
    // An endpoint of the largest weight takes a slot on every round; one of a third of it, on every
    // third round; so shares follow weights without normalizing them to fractions.
    for (long round = 1; filled < size; round++) {
      for (int i = 0; i < n && filled < size; i++) {
        if (round * weight[i] < due[i]) {
          continue;
        }
        due[i] += maxWeight;
        long slot = (offset[i] + skip[i] * next[i]) % size;
        while (table[(int) slot] >= 0) {
          next[i]++;
          slot = (offset[i] + skip[i] * next[i]) % size;
        }
        table[(int) slot] = i;
        next[i]++;
        filled++;
      }
    }
    return table;
  }

  int tableSize() {
    return table.length;
  }

  @Override
  public LbEndpoint pick(PickContext context) {
    long hash = context.hasHash() ? context.hash() : random.nextLong();
    int slot = (int) Long.remainderUnsigned(hash, table.length);
    LbEndpoint chosen = endpoints[table[slot]];
    if (!context.avoid(chosen) || Avoidance.nextAllowed(endpoints, 0, context) < 0) {
      return chosen;
    }
    // Walk on through the table to the next slot whose owner is not avoided. An endpoint that owns
    // no
    // slot at all (more endpoints than slots) cannot be found this way, so give up after one lap.
    for (int step = 1; step < table.length; step++) {
      LbEndpoint next = endpoints[table[(slot + step) % table.length]];
      if (!context.avoid(next)) {
        return next;
      }
    }
    return endpoints[Avoidance.nextAllowed(endpoints, table[slot] + 1, context)];
  }
}
