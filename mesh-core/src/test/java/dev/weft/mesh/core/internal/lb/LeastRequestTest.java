package dev.weft.mesh.core.internal.lb;

import static dev.weft.mesh.core.internal.lb.Picks.PLAIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.spi.EndpointPicker;
import dev.weft.mesh.api.spi.LbEndpoint;
import dev.weft.mesh.testing.FakeTicker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LeastRequestTest {
  private final LeastRequestProvider provider = new LeastRequestProvider();

  private EndpointPicker picker(
      List<? extends LbEndpoint> endpoints, long seed, Map<String, Object> options) {
    return provider
        .newLoadBalancer(provider.parseOptions(options), Picks.context(seed))
        .update(endpoints);
  }

  @Test
  void idleEndpointsArePickedInProportionToWeight() {
    List<TestEndpoint> endpoints = TestEndpoint.weighted(1, 3);
    int picks = 100_000;
    Map<LbEndpoint, Integer> counts = Picks.count(picker(endpoints, 21, Map.of()), PLAIN, picks);
    assertThat(Picks.countOf(counts, endpoints.get(0)) / (double) picks)
        .isCloseTo(0.25, within(0.01));
    assertThat(Picks.countOf(counts, endpoints.get(1)) / (double) picks)
        .isCloseTo(0.75, within(0.01));
  }

  @Test
  void theTwoCandidatesAreDistinctSoABusyEndpointIsAlmostNeverPicked() {
    List<TestEndpoint> endpoints = TestEndpoint.count(10);
    endpoints.forEach(e -> e.ewmaNanos = 1_000_000);
    TestEndpoint busy = endpoints.get(3);
    busy.active.set(50);
    int picks = 100_000;
    Map<LbEndpoint, Integer> counts = Picks.count(picker(endpoints, 22, Map.of()), PLAIN, picks);
    // Drawn with replacement both candidates would be the busy one for 1% of picks, and that 1% is
    // a whole p99; distinct candidates leave it only when redraws keep hitting it (well under
    // 0.1%).
    assertThat(Picks.countOf(counts, busy) / (double) picks).isLessThan(0.001);
    for (TestEndpoint e : endpoints) {
      if (e != busy) {
        assertThat(Picks.countOf(counts, e) / (double) picks).isCloseTo(1.0 / 9, within(0.01));
      }
    }
  }

  @Test
  void moreChoicesAvoidTheBusyEndpointMore() {
    List<TestEndpoint> endpoints = TestEndpoint.count(4);
    endpoints.forEach(e -> e.ewmaNanos = 1_000_000);
    endpoints.get(0).active.set(10);
    int picks = 100_000;
    Map<LbEndpoint, Integer> two = Picks.count(picker(endpoints, 23, Map.of()), PLAIN, picks);
    Map<LbEndpoint, Integer> four =
        Picks.count(picker(endpoints, 23, Map.of("choiceCount", 4)), PLAIN, picks);
    // Candidates are distinct, so the busy endpoint is only left by redraws that keep hitting it
    // (4 redraws of 1 in 4); more choices leave it even less.
    double withTwo = Picks.countOf(two, endpoints.get(0)) / (double) picks;
    double withFour = Picks.countOf(four, endpoints.get(0)) / (double) picks;
    assertThat(withTwo).isLessThan(0.005);
    assertThat(withFour).isLessThanOrEqualTo(withTwo);
  }

  @Test
  void costFollowsFinagle() {
    TestEndpoint e = TestEndpoint.of("10.0.0.1", 2);
    assertThat(LeastRequestPicker.cost(e, 2)).as("idle, no estimate: probe it").isZero();
    e.active.set(1);
    assertThat(LeastRequestPicker.cost(e, 2)).as("busy, no estimate").isGreaterThan(1e12);
    e.ewmaNanos = 1_000;
    e.active.set(4);
    assertThat(LeastRequestPicker.cost(e, 2)).isEqualTo(1_000 * (1 + 4 / 2.0));
  }

  /**
   * Ten endpoints, one ten times slower; calls arrive every millisecond, each endpoint's peak EWMA
   * learns from the responses, and the balancer should learn to leave the slow one alone.
   */
  @Test
  void peakEwmaSteersAwayFromASlowEndpoint() {
    FakeTicker ticker = new FakeTicker();
    List<SimulatedEndpoint> endpoints = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      endpoints.add(
          new SimulatedEndpoint(Endpoint.of("10.0.0." + (i + 1), 8080), ticker, i == 7 ? 100 : 10));
    }
    SimulatedEndpoint slow = endpoints.get(7);
    EndpointPicker picker =
        provider
            .newLoadBalancer(provider.parseOptions(Map.of()), Picks.context(24, ticker))
            .update(endpoints);

    record Completion(long at, SimulatedEndpoint endpoint, long startedAt) {}
    PriorityQueue<Completion> inFlight = new PriorityQueue<>((a, b) -> Long.compare(a.at, b.at));
    int warmUp = 2_000;
    int measured = 20_000;
    int toSlow = 0;
    for (int step = 0; step < warmUp + measured; step++) {
      ticker.advanceMillis(1);
      long now = ticker.nanoTime();
      while (!inFlight.isEmpty() && inFlight.peek().at <= now) {
        Completion done = inFlight.poll();
        done.endpoint.active--;
        done.endpoint.ewma.observe(now - done.startedAt, now);
      }
      SimulatedEndpoint chosen = (SimulatedEndpoint) picker.pick(PLAIN);
      chosen.active++;
      inFlight.add(new Completion(now + chosen.latencyMillis * 1_000_000L, chosen, now));
      if (step >= warmUp && chosen == slow) {
        toSlow++;
      }
    }
    assertThat(toSlow / (double) measured).isLessThan(0.05);
    // It is still probed now and then, so it would be noticed if it got fast again.
    assertThat(toSlow).isPositive();
  }

  @Test
  void avoidsEndpointsOfEarlierAttempts() {
    List<TestEndpoint> endpoints = TestEndpoint.count(3);
    EndpointPicker picker = picker(endpoints, 25, Map.of());
    Map<LbEndpoint, Integer> counts =
        Picks.count(picker, Picks.avoiding(Set.of(endpoints.get(0))), 10_000);
    assertThat(Picks.countOf(counts, endpoints.get(0))).isZero();
    assertThat(Picks.sumOf(counts, endpoints)).isEqualTo(10_000);
    // Even when the avoided one is by far the cheapest.
    endpoints.forEach(e -> e.ewmaNanos = 1_000_000);
    endpoints.get(1).active.set(100);
    endpoints.get(2).active.set(100);
    counts = Picks.count(picker, Picks.avoiding(Set.of(endpoints.get(0))), 1_000);
    assertThat(Picks.countOf(counts, endpoints.get(0))).isZero();
    assertThat(picker.pick(Picks.avoiding(Set.copyOf(endpoints)))).isIn(endpoints);
  }

  @Test
  void validatesChoiceCount() {
    assertThat(provider.parseOptions(Map.of("choiceCount", 3)))
        .isEqualTo(new LeastRequestProvider.Config(3));
    assertThat(provider.parseOptions(Map.of("choiceCount", 3.0)))
        .isEqualTo(new LeastRequestProvider.Config(3));
    assertThat(provider.parseOptions(Map.of("choiceCount", "5")))
        .isEqualTo(new LeastRequestProvider.Config(5));
    assertThatThrownBy(() -> provider.parseOptions(Map.of("choiceCount", 1)))
        .isInstanceOfSatisfying(
            InvalidConfigException.class,
            e ->
                assertThat(e.violations())
                    .singleElement()
                    .satisfies(
                        v -> {
                          assertThat(v.path()).isEqualTo("options.choiceCount");
                          assertThat(v.message()).contains("from 2 to 100", "was 1");
                        }));
    assertThatThrownBy(() -> provider.parseOptions(Map.of("choiceCount", "two")))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("options.choiceCount");
    assertThatThrownBy(() -> provider.parseOptions(Map.of("choiceCount", 2.5)))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("options.choiceCount");
    assertThatThrownBy(() -> provider.parseOptions(Map.of("choice_count", 2)))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("options.choice_count")
        .hasMessageContaining("known options: choiceCount");
  }

  /** An endpoint whose latency estimate is a real {@link PeakEwma} read at the fake time. */
  private static final class SimulatedEndpoint implements LbEndpoint {
    final Endpoint endpoint;
    final FakeTicker ticker;
    final PeakEwma ewma = new PeakEwma();
    final int latencyMillis;
    int active;

    SimulatedEndpoint(Endpoint endpoint, FakeTicker ticker, int latencyMillis) {
      this.endpoint = endpoint;
      this.ticker = ticker;
      this.latencyMillis = latencyMillis;
    }

    @Override
    public Endpoint endpoint() {
      return endpoint;
    }

    @Override
    public int weight() {
      return 1;
    }

    @Override
    public int activeRequests() {
      return active;
    }

    @Override
    public double peakEwmaNanos() {
      return ewma.get(ticker.nanoTime());
    }
  }
}
