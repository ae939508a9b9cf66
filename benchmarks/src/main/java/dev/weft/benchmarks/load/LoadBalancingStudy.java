package dev.weft.benchmarks.load;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.OutlierDetection;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.grpc.MeshGrpc;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Study 3: load-balancing quality. Ten loopback gRPC backends answering in a base time (5 ms) plus
 * up to the same again of jitter; one of them made slow in two ways: 10x latency, or a 2 s stall
 * (it holds every request that arrives in a 2 s window, every 5 s, and answers all of them when the
 * window ends). Open-loop load with a 1 s deadline per call, no retries, outlier detection off, so
 * the table measures the balancer alone. Each phase has a fresh mesh, warmed for 1 s with all
 * backends healthy; policies and scenarios interleave within each round.
 *
 * <p>System properties: {@code rounds} (2), {@code phaseMillis} (5000), {@code rate} (1000), {@code
 * baseMillis} (5), {@code policies} and {@code scenarios} (all, comma-separated). The share of
 * requests that backend 0 (the slow or stalled one) received is reported per cell.
 */
public final class LoadBalancingStudy {
  private LoadBalancingStudy() {}

  /**
   * A healthy backend answers in base to 2x base; {@code -DbaseMillis}, 5 ms by default to stand
   * clear of scheduling noise on a loaded machine.
   */
  static final long BASE_NANOS = Long.getLong("baseMillis", 5) * 1_000_000L;

  static final List<String> POLICIES =
      List.of(LoadBalancing.ROUND_ROBIN, LoadBalancing.LEAST_REQUEST, LoadBalancing.RANDOM);
  static final List<String> SCENARIOS = List.of("healthy", "slow10x", "stall2s");

  public static void main(String[] args) throws Exception {
    int rounds = Integer.getInteger("rounds", 2);
    long phaseMillis = Long.getLong("phaseMillis", 5000);
    int rate = Integer.getInteger("rate", 1000);
    List<String> policies =
        List.of(System.getProperty("policies", String.join(",", POLICIES)).split(","));
    List<String> scenarios =
        List.of(System.getProperty("scenarios", String.join(",", SCENARIOS)).split(","));
    Map<String, Latencies> lat = new LinkedHashMap<>();
    Map<String, long[]> counts = new LinkedHashMap<>();
    try (Backends backends = new Backends(10)) {
      warmUp(backends, rate, policies);
      for (int round = 0; round < rounds; round++) {
        for (String scenario : scenarios) {
          for (int i = 0; i < policies.size(); i++) {
            String policy = policies.get((i + round) % policies.size());
            setHealthy(backends);
            Mesh mesh = Mesh.builder().config(config(backends, policy)).build();
            MeshGrpc grpc = MeshGrpc.create(mesh);
            try {
              Supplier<CompletableFuture<?>> call = Clients.grpcUnary(grpc.channel("work"), 1000);
              Load.fixedRate(call, rate, 1000, 2000, 1_000_000_000L);
              setScenario(backends, scenario);
              long victim0 = backends.all.get(0).requests.get();
              long all0 = backends.requests();
              Load.Phase ph = Load.fixedRate(call, rate, phaseMillis, 3000, 1_000_000_000L);
              String key = scenario + "/" + policy;
              lat.computeIfAbsent(key, k -> new Latencies(1 << 16)).addAll(ph.latencies());
              long[] c = counts.computeIfAbsent(key, k -> new long[4]);
              c[0] += ph.ok();
              c[1] += ph.failed();
              c[2] += backends.all.get(0).requests.get() - victim0;
              c[3] += backends.requests() - all0;
              System.err.printf(
                  "round %d %s: ok %d failed %d p99 %.0f us%n",
                  round, key, ph.ok(), ph.failed(), ph.latencies().percentileMicros(0.99));
            } finally {
              setHealthy(backends);
              grpc.close();
              mesh.close();
            }
          }
        }
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("study", "load_balancing");
    out.put("rounds", rounds);
    out.put("phaseMillis", phaseMillis);
    out.put("rate", rate);
    out.put("baseMillis", BASE_NANOS / 1e6);
    for (String key : lat.keySet()) {
      Latencies l = lat.get(key);
      long[] c = counts.get(key);
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("p50us", l.percentileMicros(0.50));
      s.put("p99us", l.percentileMicros(0.99));
      s.put("p999us", l.percentileMicros(0.999));
      s.put("successWithin1s", (double) c[0] / (c[0] + c[1]));
      s.put("shareToBackend0", (double) c[2] / c[3]);
      String policy = key.substring(key.indexOf('/') + 1);
      Latencies base = lat.get("healthy/" + policy);
      if (base != null) {
        s.put("p99VsOwnHealthy", l.percentileMicros(0.99) / base.percentileMicros(0.99));
      }
      out.put(key, s);
    }
    System.out.println(Json.of(out));
  }

  /** JIT and connection warm-up of the whole process before any phase is measured. */
  private static void warmUp(Backends backends, int rate, List<String> policies) throws Exception {
    setHealthy(backends);
    for (String policy : policies) {
      Mesh mesh = Mesh.builder().config(config(backends, policy)).build();
      MeshGrpc grpc = MeshGrpc.create(mesh);
      try {
        Load.fixedRate(
            Clients.grpcUnary(grpc.channel("work"), 1000), rate, 2000, 2000, 1_000_000_000L);
      } finally {
        grpc.close();
        mesh.close();
      }
    }
  }

  static MeshConfig config(Backends backends, String policy) {
    return MeshConfig.builder()
        .cluster(
            Cluster.builder("work")
                .endpoints(backends.endpoints())
                .loadBalancing(LoadBalancing.of(policy))
                .outlierDetection(OutlierDetection.DISABLED)
                .build())
        .service(
            Service.of("work", Route.builder("all").destinations(Destination.of("work")).build()))
        .build();
  }

  static LongSupplier jittered(long factor) {
    return () -> factor * (BASE_NANOS + ThreadLocalRandom.current().nextLong(BASE_NANOS));
  }

  static void setHealthy(Backends backends) {
    for (LoopbackServers.GrpcBackend b : backends.all) {
      b.delayNanos = jittered(1);
    }
  }

  static void setScenario(Backends backends, String scenario) {
    LoopbackServers.GrpcBackend victim = backends.all.get(0);
    switch (scenario) {
      case "healthy" -> {}
      case "slow10x" -> victim.delayNanos = jittered(10);
      case "stall2s" -> {
        long origin = System.nanoTime();
        LongSupplier normal = jittered(1);
        victim.delayNanos =
            () -> {
              long t = (System.nanoTime() - origin) % 5_000_000_000L;
              return t < 2_000_000_000L ? 2_000_000_000L - t : normal.getAsLong();
            };
      }
      default -> throw new IllegalArgumentException(scenario);
    }
  }
}
