package dev.weft.mesh.core.internal.lb;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.config.Locality;
import dev.weft.mesh.api.runtime.RandomSource;
import dev.weft.mesh.api.spi.EndpointPicker;
import dev.weft.mesh.api.spi.LbEndpoint;
import dev.weft.mesh.api.spi.LoadBalancer;
import dev.weft.mesh.api.spi.LoadBalancerContext;
import dev.weft.mesh.api.spi.LoadBalancerProvider;
import dev.weft.mesh.api.spi.PickContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Balances calls over one cluster (or subset) with Envoy's semantics for priority levels, panic and
 * localities, delegating the choice within a group of endpoints to the cluster's policy.
 *
 * <ul>
 *   <li>Priority levels: each level's health is its healthy share times the overprovisioning factor
 *       (default 140%), capped at 100%; traffic fills levels in priority order and spills what a
 *       level cannot take to the next. When the levels together are under 100% healthy, their
 *       shares are scaled up so that every call still goes somewhere. See {@link PriorityLoad}.
 *   <li>Panic: when total health is under 100% and a level's healthy share is below {@code
 *       panicThresholdPercent} (default 50; 0 disables), that level balances over all its endpoints
 *       regardless of health. With panic disabled and no healthy endpoint, {@link #pick} returns
 *       null.
 *   <li>Localities: with {@code localityWeighted}, a call first picks a locality of the chosen
 *       level at random in proportion to the locality's weight (the sum of its endpoints' weights)
 *       times its availability ({@code min(1, overprovisioningFactor * healthy / total)}), then the
 *       policy picks within it. A level in panic ignores localities. Without it, the policy
 *       balances over all healthy endpoints of the level.
 *   <li>Hash-based policies ({@code ring_hash}, {@code maglev}) ignore localities, and the call's
 *       hash (when it has one) also chooses the priority level, so a key sticks to one level too.
 *   <li>Retries: when the chosen group holds only endpoints that {@link PickContext#avoid} names,
 *       the other localities and then the other levels are tried before giving in to an avoided
 *       one.
 * </ul>
 *
 * <p>Threading: {@link #update} is called serially (never concurrently with itself), off the call
 * path; it builds an immutable state and publishes it through one volatile field. {@link #pick} and
 * {@link #describe} may be called from any thread at any time, take no lock and do not block.
 */
public final class ClusterBalancer {
  private final LoadBalancing config;
  private final LoadBalancerProvider provider;
  private final Object parsedOptions;
  private final LoadBalancerContext context;
  private final RandomSource random;
  private final boolean hashBased;
  private final boolean byLocality;

  /** The policy's balancer for each group, kept across updates; touched only by {@link #update}. */
  private final Map<GroupKey, LoadBalancer> balancers = new HashMap<>();

  private volatile State state;

  /**
   * A balancer with no endpoints until the first {@link #update}.
   *
   * @param config the cluster's load-balancing settings
   * @param provider the provider of {@code config.policy()}
   * @param parsedOptions what {@code provider.parseOptions(config.options())} returned
   * @param context the cluster's name, ticker and randomness
   */
  public ClusterBalancer(
      LoadBalancing config,
      LoadBalancerProvider provider,
      Object parsedOptions,
      LoadBalancerContext context) {
    this.config = requireNonNull(config, "config");
    this.provider = requireNonNull(provider, "provider");
    this.parsedOptions = parsedOptions;
    this.context = requireNonNull(context, "context");
    this.random = requireNonNull(context.random(), "context.random()");
    this.hashBased =
        provider instanceof HashBasedPolicy
            || LoadBalancing.RING_HASH.equals(provider.policyName())
            || LoadBalancing.MAGLEV.equals(provider.policyName());
    this.byLocality = config.localityWeighted() && !hashBased;
    this.state = State.empty(describe(List.of()));
  }

  /**
   * Replaces the endpoints to balance over. Called serially, off the call path, whenever
   * membership, health, ejection or effective weights change. Calls in progress keep using the
   * state they read.
   *
   * <p>If the policy fails to make a picker, the exception propagates and the previous state stays
   * in force.
   *
   * @param endpoints all endpoints of the cluster or subset, healthy or not, in a stable order
   * @param healthy whether an endpoint may take calls outside panic (neither unhealthy nor ejected)
   */
  public void update(List<? extends LbEndpoint> endpoints, Predicate<LbEndpoint> healthy) {
    requireNonNull(endpoints, "endpoints");
    requireNonNull(healthy, "healthy");
    TreeMap<Integer, LevelEndpoints> byPriority = new TreeMap<>();
    for (LbEndpoint e : endpoints) {
      requireNonNull(e, "endpoint");
      byPriority
          .computeIfAbsent(e.endpoint().priority(), p -> new LevelEndpoints())
          .add(e, healthy.test(e));
    }
    int n = byPriority.size();
    int[] total = new int[n];
    int[] healthyCount = new int[n];
    int i = 0;
    for (LevelEndpoints level : byPriority.values()) {
      total[i] = level.all.size();
      healthyCount[i] = level.healthy.size();
      i++;
    }
    PriorityLoad loads =
        PriorityLoad.compute(
            total, healthyCount, config.overprovisioningFactor(), config.panicThresholdPercent());

    Set<GroupKey> used = new HashSet<>();
    Level[] levels = new Level[n];
    List<PriorityLevel> described = new ArrayList<>(n);
    i = 0;
    for (Map.Entry<Integer, LevelEndpoints> entry : byPriority.entrySet()) {
      levels[i] =
          buildLevel(entry.getKey(), entry.getValue(), loads.load()[i], loads.panic()[i], used);
      described.add(levels[i].describe(loads.health()[i]));
      i++;
    }
    balancers.keySet().retainAll(used);
    state = new State(levels, loads.usable(), describe(described));
  }

  /**
   * The endpoint for one attempt, or null when there is none to use (no endpoints, or none healthy
   * with panic disabled). Lock-free and non-blocking; may be called from any thread.
   */
  public LbEndpoint pick(PickContext pickContext) {
    State s = state;
    if (!s.usable) {
      return null;
    }
    Level[] levels = s.levels;
    int chosen;
    if (levels.length == 1) {
      chosen = 0;
    } else {
      int point =
          hashBased && pickContext.hasHash()
              ? (int) Long.remainderUnsigned(XxHash64.mix(pickContext.hash()), 100)
              : random.nextInt(100);
      chosen = s.levelAt(point);
    }
    LbEndpoint picked = levels[chosen].pick(pickContext, random);
    if (picked != null && !pickContext.avoid(picked)) {
      return picked;
    }
    for (int i = 0; i < levels.length; i++) {
      if (i == chosen) {
        continue;
      }
      LbEndpoint other = levels[i].pick(pickContext, random);
      if (other != null) {
        if (!pickContext.avoid(other)) {
          return other;
        }
        if (picked == null) {
          picked = other;
        }
      }
    }
    return picked;
  }

  /** A read-only summary of the current state, for config dumps and admin pages. */
  public Description describe() {
    return state.description;
  }

  private Description describe(List<PriorityLevel> levels) {
    return new Description(context.target(), config.policy(), byLocality, List.copyOf(levels));
  }

  private Level buildLevel(
      int priority, LevelEndpoints endpoints, int load, boolean panic, Set<GroupKey> used) {
    List<LbEndpoint> usable = panic ? endpoints.all : endpoints.healthy;
    if (usable.isEmpty()) {
      return new Level(
          priority,
          endpoints.all.size(),
          endpoints.healthy.size(),
          load,
          panic,
          null,
          NO_LOCALITIES);
    }
    if (!byLocality || panic) {
      EndpointPicker picker = pickerFor(new GroupKey(priority, null), usable, used);
      return new Level(
          priority,
          endpoints.all.size(),
          endpoints.healthy.size(),
          load,
          panic,
          picker,
          NO_LOCALITIES);
    }
    Map<Locality, LevelEndpoints> byLocalityMap = new LinkedHashMap<>();
    for (LbEndpoint e : endpoints.all) {
      byLocalityMap
          .computeIfAbsent(e.endpoint().locality(), l -> new LevelEndpoints())
          .add(e, false);
    }
    for (LbEndpoint e : endpoints.healthy) {
      byLocalityMap.get(e.endpoint().locality()).healthy.add(e);
    }
    List<LocalityGroup> groups = new ArrayList<>(byLocalityMap.size());
    double overprovisioning = config.overprovisioningFactor() / 100.0;
    for (Map.Entry<Locality, LevelEndpoints> entry : byLocalityMap.entrySet()) {
      LevelEndpoints members = entry.getValue();
      if (members.healthy.isEmpty()) {
        continue;
      }
      long weight = 0;
      for (LbEndpoint e : members.all) {
        weight += Math.max(1, e.weight());
      }
      double availability =
          Math.min(1.0, overprovisioning * members.healthy.size() / members.all.size());
      EndpointPicker picker =
          pickerFor(new GroupKey(priority, entry.getKey()), members.healthy, used);
      groups.add(new LocalityGroup(entry.getKey(), weight * availability, picker));
    }
    return new Level(
        priority,
        endpoints.all.size(),
        endpoints.healthy.size(),
        load,
        false,
        null,
        groups.toArray(new LocalityGroup[0]));
  }

  private EndpointPicker pickerFor(GroupKey key, List<LbEndpoint> members, Set<GroupKey> used) {
    used.add(key);
    LoadBalancer balancer =
        balancers.computeIfAbsent(
            key,
            k ->
                provider.newLoadBalancer(
                    parsedOptions, new GroupContext(context.target() + k.suffix(), context)));
    return requireNonNull(
        balancer.update(Collections.unmodifiableList(members)),
        () -> "policy " + config.policy() + " returned no picker");
  }

  private static final LocalityGroup[] NO_LOCALITIES = new LocalityGroup[0];

  /**
   * A summary of a balancer's state.
   *
   * @param target the cluster (and subset) balanced
   * @param policy the load-balancing policy
   * @param localityWeighted whether traffic is split by locality first
   * @param priorities the priority levels present, lowest number (most preferred) first
   */
  public record Description(
      String target, String policy, boolean localityWeighted, List<PriorityLevel> priorities) {}

  /**
   * One priority level in a {@link Description}.
   *
   * @param priority the level's number
   * @param endpoints how many endpoints it has
   * @param healthyEndpoints how many of them are healthy
   * @param healthPercent its health score: healthy share times overprovisioning, capped at 100
   * @param loadPercent its share of calls
   * @param panic whether it balances over all its endpoints because too few are healthy
   * @param localityWeights effective weight of each locality that takes calls (empty unless
   *     locality-weighted and not in panic), keyed by {@code region/zone/subZone}
   */
  public record PriorityLevel(
      int priority,
      int endpoints,
      int healthyEndpoints,
      int healthPercent,
      int loadPercent,
      boolean panic,
      Map<String, Double> localityWeights) {}

  /** Endpoints of one level or locality while an update groups them. */
  private static final class LevelEndpoints {
    final List<LbEndpoint> all = new ArrayList<>();
    final List<LbEndpoint> healthy = new ArrayList<>();

    void add(LbEndpoint e, boolean isHealthy) {
      all.add(e);
      if (isHealthy) {
        healthy.add(e);
      }
    }
  }

  /** Identifies the policy balancer of one group: a whole level (locality null) or one locality. */
  private record GroupKey(int priority, Locality locality) {
    String suffix() {
      return locality == null ? " p" + priority : " p" + priority + " " + locality;
    }
  }

  /**
   * The context handed to the policy for one group: the cluster's, with the group in the target.
   */
  private record GroupContext(String target, LoadBalancerContext parent)
      implements LoadBalancerContext {
    @Override
    public long nanoTime() {
      return parent.nanoTime();
    }

    @Override
    public RandomSource random() {
      return parent.random();
    }
  }

  private record LocalityGroup(Locality locality, double weight, EndpointPicker picker) {}

  /** One priority level, immutable. */
  private static final class Level {
    final int priority;
    final int endpoints;
    final int healthy;
    final int load;
    final boolean panic;

    /** Picks over the whole level, or null when it balances by locality (or has nothing usable). */
    final EndpointPicker picker;

    final LocalityGroup[] localities;

    /** Chooses a locality by weight; null when there are none. */
    final WeightedSampler localitySampler;

    Level(
        int priority,
        int endpoints,
        int healthy,
        int load,
        boolean panic,
        EndpointPicker picker,
        LocalityGroup[] localities) {
      this.priority = priority;
      this.endpoints = endpoints;
      this.healthy = healthy;
      this.load = load;
      this.panic = panic;
      this.picker = picker;
      this.localities = localities;
      double[] weights = new double[localities.length];
      for (int i = 0; i < localities.length; i++) {
        weights[i] = localities[i].weight();
      }
      this.localitySampler = localities.length == 0 ? null : WeightedSampler.of(weights);
    }

    LbEndpoint pick(PickContext ctx, RandomSource random) {
      if (picker != null) {
        return picker.pick(ctx);
      }
      int n = localities.length;
      if (n == 0) {
        return null;
      }
      int k = n == 1 ? 0 : localitySampler.sample(random);
      LbEndpoint picked = localities[k].picker().pick(ctx);
      if (n == 1 || !ctx.avoid(picked)) {
        return picked;
      }
      for (int step = 1; step < n; step++) {
        LbEndpoint other = localities[(k + step) % n].picker().pick(ctx);
        if (!ctx.avoid(other)) {
          return other;
        }
      }
      return picked;
    }

    PriorityLevel describe(int healthPercent) {
      Map<String, Double> weights = new LinkedHashMap<>();
      for (LocalityGroup g : localities) {
        weights.put(g.locality().toString(), g.weight());
      }
      return new PriorityLevel(
          priority,
          endpoints,
          healthy,
          healthPercent,
          load,
          panic,
          Collections.unmodifiableMap(weights));
    }
  }

  /** Everything {@link #pick} reads, published at once. */
  private static final class State {
    final Level[] levels;

    /** {@code cumulativeLoad[i]} is the summed load of levels 0..i, in percent. */
    final int[] cumulativeLoad;

    final boolean usable;
    final Description description;

    State(Level[] levels, boolean usable, Description description) {
      this.levels = levels;
      this.usable = usable && levels.length > 0;
      this.description = description;
      this.cumulativeLoad = new int[levels.length];
      int sum = 0;
      for (int i = 0; i < levels.length; i++) {
        sum += levels[i].load;
        cumulativeLoad[i] = sum;
      }
    }

    static State empty(Description description) {
      return new State(new Level[0], false, description);
    }

    /** The level whose share of [0, 100) contains {@code point}. */
    int levelAt(int point) {
      for (int i = 0; i < cumulativeLoad.length; i++) {
        if (point < cumulativeLoad[i]) {
          return i;
        }
      }
      return cumulativeLoad.length - 1;
    }
  }
}
