package dev.weft.benchmarks.load;

import dev.weft.mesh.api.config.CircuitBreakers;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.HedgingPolicy;
import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.OutlierDetection;
import dev.weft.mesh.api.config.RetryOn;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.grpc.MeshGrpc;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Study 4: hedging. Ten loopback gRPC backends answering in 1-2x a base time (5 ms, {@code
 * -DbaseMillis}); 1% of requests, chosen at random on the server, take 50x as long. Open-loop load
 * through three routes in alternating rounds: no hedging, hedging after a fixed 3x base, and
 * hedging after the route's observed p95 (at least 2x base). The extra load is the requests the
 * backends saw over the calls made. Each variant has its own cluster (the same backends) and so its
 * own retry budget (the default: 20% plus 10 per second). {@code -DmaxRetries} sets the clusters'
 * limit on retries and hedges in flight (Weft's default, 1024, unless given).
 *
 * <p>System properties: {@code rounds} (4), {@code phaseMillis} (5000), {@code rate} (1000).
 */
public final class HedgingStudy {
  private HedgingStudy() {}

  public static void main(String[] args) throws Exception {
    int rounds = Integer.getInteger("rounds", 4);
    long phaseMillis = Long.getLong("phaseMillis", 5000);
    int rate = Integer.getInteger("rate", 1000);
    int maxRetries = Integer.getInteger("maxRetries", CircuitBreakers.DEFAULT_LIMIT);
    Map<String, HedgingPolicy> variants = new LinkedHashMap<>();
    variants.put("none", HedgingPolicy.NONE);
    long base = LoadBalancingStudy.BASE_NANOS;
    variants.put(
        "fixed3xBase",
        new HedgingPolicy(2, Duration.ofNanos(3 * base), 0, Set.of(RetryOn.UNAVAILABLE)));
    variants.put(
        "p95min2xBase",
        new HedgingPolicy(2, Duration.ofNanos(2 * base), 95, Set.of(RetryOn.UNAVAILABLE)));
    Map<String, Latencies> lat = new LinkedHashMap<>();
    Map<String, long[]> counts = new LinkedHashMap<>(); // ok, failed, backend requests
    Map<String, Map<String, Object>> meterCounts = new LinkedHashMap<>();
    try (Backends backends = new Backends(10)) {
      for (LoopbackServers.GrpcBackend b : backends.all) {
        b.delayNanos =
            () -> {
              ThreadLocalRandom r = ThreadLocalRandom.current();
              long d = LoadBalancingStudy.BASE_NANOS + r.nextLong(LoadBalancingStudy.BASE_NANOS);
              return r.nextInt(100) == 0 ? 50 * d : d;
            };
      }
      // One cluster per variant (same backends), so that each has a retry budget of its own.
      MeshConfig.Builder config = MeshConfig.builder();
      for (Map.Entry<String, HedgingPolicy> v : variants.entrySet()) {
        String name = "work-" + v.getKey();
        config.cluster(
            Cluster.builder(name)
                .endpoints(backends.endpoints())
                .circuitBreakers(
                    new CircuitBreakers(
                        CircuitBreakers.DEFAULT_LIMIT,
                        CircuitBreakers.DEFAULT_LIMIT,
                        CircuitBreakers.DEFAULT_LIMIT,
                        maxRetries))
                .loadBalancing(LoadBalancing.of(LoadBalancing.ROUND_ROBIN))
                .outlierDetection(OutlierDetection.DISABLED)
                .build());
        config.service(
            Service.of(
                name,
                Route.builder("all")
                    .destinations(Destination.of(name))
                    .hedging(v.getValue())
                    .build()));
      }
      io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
          new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
      Mesh mesh = Mesh.builder().config(config.build()).meterRegistry(registry).build();
      MeshGrpc grpc = MeshGrpc.create(mesh);
      try {
        Map<String, Supplier<CompletableFuture<?>>> calls = new LinkedHashMap<>();
        for (String name : variants.keySet()) {
          calls.put(name, Clients.grpcUnary(grpc.channel("work-" + name), 1000));
          lat.put(name, new Latencies(1 << 16));
          counts.put(name, new long[3]);
          Load.fixedRate(
              calls.get(name), rate, 2000, 2000, Long.MAX_VALUE); // warm-up, and the p95 estimate
        }
        String[] names = variants.keySet().toArray(String[]::new);
        for (int round = 0; round < rounds; round++) {
          for (int i = 0; i < names.length; i++) {
            String name = names[(i + round) % names.length];
            long before = backends.requests();
            Load.Phase ph =
                Load.fixedRate(calls.get(name), rate, phaseMillis, 3000, Long.MAX_VALUE);
            Thread.sleep(200); // let cancelled hedges reach the servers' counters
            long[] c = counts.get(name);
            c[0] += ph.ok();
            c[1] += ph.failed();
            c[2] += backends.requests() - before;
            lat.get(name).addAll(ph.latencies());
            System.err.printf(
                "round %d %s: p99.9 %.0f us, backend requests %d for %d calls%n",
                round,
                name,
                ph.latencies().percentileMicros(0.999),
                backends.requests() - before,
                ph.ok() + ph.failed());
          }
        }
        for (String name : variants.keySet()) {
          Map<String, Object> meters = new LinkedHashMap<>();
          for (String meter :
              new String[] {"weft.client.hedges", "weft.client.retry.budget.exhausted"}) {
            io.micrometer.core.instrument.Counter counter =
                registry.find(meter).tag("service", "work-" + name).counter();
            meters.put(meter, counter == null ? 0 : (long) counter.count());
          }
          meterCounts.put(name, meters);
        }
      } finally {
        grpc.close();
        mesh.close();
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("study", "hedging");
    out.put("rounds", rounds);
    out.put("phaseMillis", phaseMillis);
    out.put("rate", rate);
    out.put("baseMillis", LoadBalancingStudy.BASE_NANOS / 1e6);
    out.put("maxRetries", maxRetries);
    double baseP999 = lat.get("none").percentileMicros(0.999);
    for (String name : lat.keySet()) {
      Latencies l = lat.get(name);
      long[] c = counts.get(name);
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("calls", c[0] + c[1]);
      s.put("failed", c[1]);
      s.put("p50us", l.percentileMicros(0.50));
      s.put("p99us", l.percentileMicros(0.99));
      s.put("p999us", l.percentileMicros(0.999));
      s.put("p999CutVsNone", baseP999 / l.percentileMicros(0.999));
      s.put("extraLoadPercent", 100.0 * ((double) c[2] / (c[0] + c[1]) - 1));
      s.put("metersIncludingWarmup", meterCounts.get(name));
      out.put(name, s);
    }
    System.out.println(Json.of(out));
  }
}
