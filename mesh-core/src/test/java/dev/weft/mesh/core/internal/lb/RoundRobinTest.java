package dev.weft.mesh.core.internal.lb;

import static dev.weft.mesh.core.internal.lb.Picks.PLAIN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.mesh.api.spi.EndpointPicker;
import dev.weft.mesh.api.spi.LbEndpoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class RoundRobinTest {
  private final RoundRobinProvider provider = new RoundRobinProvider();

  private EndpointPicker picker(List<TestEndpoint> endpoints, long seed) {
    return provider
        .newLoadBalancer(provider.parseOptions(Map.of()), Picks.context(seed))
        .update(endpoints);
  }

  @Test
  void everyFullPeriodHoldsEachEndpointExactlyItsWeight() {
    List<TestEndpoint> endpoints = TestEndpoint.weighted(5, 3, 1, 1);
    EndpointPicker picker = picker(endpoints, 42);
    int period = 10;
    List<LbEndpoint> sequence = new ArrayList<>();
    for (int i = 0; i < period * 20; i++) {
      sequence.add(picker.pick(PLAIN));
    }
    // Every window of one period, wherever it starts, not only aligned ones.
    for (int start = 0; start + period <= sequence.size(); start++) {
      Map<LbEndpoint, Integer> counts = new HashMap<>();
      for (LbEndpoint e : sequence.subList(start, start + period)) {
        counts.merge(e, 1, Integer::sum);
      }
      for (TestEndpoint e : endpoints) {
        assertThat(counts.get(e)).as("window at %d, %s", start, e).isEqualTo(e.weight());
      }
    }
  }

  @Test
  void spreadsPicksOfHeavyEndpointsThroughThePeriod() {
    List<TestEndpoint> endpoints = TestEndpoint.weighted(5, 3, 1, 1);
    EndpointPicker picker = picker(endpoints, 1);
    int longestRun = 0;
    int run = 0;
    LbEndpoint previous = null;
    for (int i = 0; i < 100; i++) {
      LbEndpoint e = picker.pick(PLAIN);
      run = e == previous ? run + 1 : 1;
      longestRun = Math.max(longestRun, run);
      previous = e;
    }
    // Plain weighted round robin would send five in a row to the heaviest endpoint.
    assertThat(longestRun).isLessThanOrEqualTo(2);
  }

  @Test
  void sameSeedSameSequenceAndDifferentSeedsStartAtDifferentPoints() {
    List<TestEndpoint> endpoints = TestEndpoint.weighted(5, 3, 1, 1);
    EndpointPicker a = picker(endpoints, 7);
    EndpointPicker b = picker(endpoints, 7);
    for (int i = 0; i < 30; i++) {
      assertThat(a.pick(PLAIN)).isSameAs(b.pick(PLAIN));
    }
    Set<LbEndpoint> firstPicks = new java.util.HashSet<>();
    for (long seed = 0; seed < 40; seed++) {
      firstPicks.add(picker(endpoints, seed).pick(PLAIN));
    }
    assertThat(firstPicks).hasSize(4);
  }

  @Test
  void reducesWeightsByTheirCommonDivisor() {
    RoundRobinPicker picker = new RoundRobinPicker(TestEndpoint.weighted(10, 20, 30), 0);
    assertThat(picker.period()).isEqualTo(6);
  }

  @Test
  void isExactUnderConcurrentCallers() throws Exception {
    List<TestEndpoint> endpoints = TestEndpoint.weighted(5, 3, 1, 1);
    EndpointPicker picker = picker(endpoints, 3);
    int threads = 4;
    int picksPerThread = 10 * 5_000; // total is a whole number of periods
    AtomicIntegerArray counts = new AtomicIntegerArray(endpoints.size());
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker =
          new Thread(
              () -> {
                int[] local = new int[endpoints.size()];
                try {
                  start.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                for (int i = 0; i < picksPerThread; i++) {
                  local[endpoints.indexOf((TestEndpoint) picker.pick(PLAIN))]++;
                }
                for (int i = 0; i < local.length; i++) {
                  counts.addAndGet(i, local[i]);
                }
              });
      worker.start();
      workers.add(worker);
    }
    start.countDown();
    for (Thread w : workers) {
      w.join(30_000);
      assertThat(w.isAlive()).isFalse();
    }
    int periods = threads * picksPerThread / 10;
    for (int i = 0; i < endpoints.size(); i++) {
      assertThat(counts.get(i)).as("endpoint %d", i).isEqualTo(endpoints.get(i).weight() * periods);
    }
  }

  @Test
  void hugeWeightSumsAreStillExactOverAPeriod() {
    List<TestEndpoint> endpoints = TestEndpoint.weighted(100_000, 30_001, 7, 1);
    RoundRobinPicker picker = new RoundRobinPicker(endpoints, 12345);
    long period = picker.period();
    assertThat(period).isEqualTo(130_009).isGreaterThan(WrrSchedule.MAX_TABLE);
    Map<LbEndpoint, Integer> counts = Picks.count(picker, PLAIN, (int) period);
    for (TestEndpoint e : endpoints) {
      assertThat(counts.get(e)).as("%s", e).isEqualTo(e.weight());
    }
  }

  @Test
  void roundsScheduleInterleavesEndpoints() {
    WrrSchedule rounds = new WrrSchedule.Rounds(new int[] {1, 3, 2}, 6);
    int[] order = new int[12];
    for (int n = 0; n < order.length; n++) {
      order[n] = rounds.at(n);
    }
    // Round 0: everyone, heaviest first; round 1: weights above 1; round 2: weights above 2.
    assertThat(order).containsExactly(1, 2, 0, 1, 2, 1, 1, 2, 0, 1, 2, 1);
  }

  @Test
  void retriesGoElsewhereAndFallBackWhenAllAreAvoided() {
    List<TestEndpoint> endpoints = TestEndpoint.weighted(1, 1, 1);
    EndpointPicker picker = picker(endpoints, 5);
    Map<LbEndpoint, Integer> counts =
        Picks.count(picker, Picks.avoiding(Set.of(endpoints.get(1))), 3_000);
    assertThat(Picks.countOf(counts, endpoints.get(1))).isZero();
    assertThat(Picks.countOf(counts, endpoints.get(0)) + Picks.countOf(counts, endpoints.get(2)))
        .isEqualTo(3_000);

    assertThat(picker.pick(Picks.avoiding(Set.copyOf(endpoints)))).isIn(endpoints);
  }

  @Test
  void rejectsOptions() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> provider.parseOptions(Map.of("choiceCount", 2)))
        .isInstanceOf(dev.weft.mesh.api.config.InvalidConfigException.class)
        .hasMessageContaining("options.choiceCount");
  }
}
