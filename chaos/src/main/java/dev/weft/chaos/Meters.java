package dev.weft.chaos;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.TreeMap;

/** The mesh's own meters, per cluster: what the retry budget and the table read. */
final class Meters {
  /** Counts of one cluster at one moment. */
  record Counts(long calls, long retries, long hedges, long budgetExhausted, long ejections) {
    static final Counts ZERO = new Counts(0, 0, 0, 0, 0);

    Counts minus(Counts o) {
      return new Counts(
          calls - o.calls,
          retries - o.retries,
          hedges - o.hedges,
          budgetExhausted - o.budgetExhausted,
          ejections - o.ejections);
    }

    Counts plus(Counts o) {
      return new Counts(
          calls + o.calls,
          retries + o.retries,
          hedges + o.hedges,
          budgetExhausted + o.budgetExhausted,
          ejections + o.ejections);
    }
  }

  private final MeterRegistry registry;

  Meters(MeterRegistry registry) {
    this.registry = registry;
  }

  Map<String, Counts> snapshot() {
    Map<String, long[]> acc = new TreeMap<>();
    for (Timer t : registry.find("weft.client.calls").timers()) {
      add(acc, t.getId().getTag("cluster"), 0, t.count());
    }
    count(acc, "weft.client.retries", 1);
    count(acc, "weft.client.hedges", 2);
    count(acc, "weft.client.retry.budget.exhausted", 3);
    count(acc, "weft.cluster.ejections", 4);
    Map<String, Counts> out = new TreeMap<>();
    acc.forEach((k, v) -> out.put(k, new Counts(v[0], v[1], v[2], v[3], v[4])));
    return out;
  }

  long ejections() {
    long n = 0;
    for (Counter c : registry.find("weft.cluster.ejections").counters()) {
      n += (long) c.count();
    }
    return n;
  }

  /** Ejections so far per cluster. */
  Map<String, Long> ejectionsByCluster() {
    Map<String, Long> out = new TreeMap<>();
    for (Counter c : registry.find("weft.cluster.ejections").counters()) {
      out.merge(String.valueOf(c.getId().getTag("cluster")), (long) c.count(), Long::sum);
    }
    return out;
  }

  private void count(Map<String, long[]> acc, String name, int slot) {
    for (Counter c : registry.find(name).counters()) {
      add(acc, c.getId().getTag("cluster"), slot, (long) c.count());
    }
  }

  private static void add(Map<String, long[]> acc, String cluster, int slot, long n) {
    if (cluster == null || cluster.isEmpty()) {
      cluster = "(none)";
    }
    acc.computeIfAbsent(cluster, c -> new long[5])[slot] += n;
  }

  static Map<String, Counts> delta(Map<String, Counts> after, Map<String, Counts> before) {
    Map<String, Counts> out = new TreeMap<>();
    after.forEach((k, v) -> out.put(k, v.minus(before.getOrDefault(k, Counts.ZERO))));
    return out;
  }
}
