package dev.weft.benchmarks.load;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.HeaderMatch;
import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.RetryOn;
import dev.weft.mesh.api.config.RetryPolicy;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.RouteMatch;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.core.StaticConfigSource;
import dev.weft.mesh.grpc.MeshGrpc;
import dev.weft.mesh.http.MeshHttpClient;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Study 1: what Weft adds to a call. The same gRPC unary and HTTP GET workloads against the same
 * loopback servers, through a plain client and through Weft with routing, load balancing, a retry
 * policy (configured, never triggered), Micrometer metrics and OpenTelemetry tracing (SDK, every span
 * sampled, batch processor, dropping exporter). The two paths run in alternating rounds in one JVM,
 * the order flipped every round, at a fixed rate (open loop) and at maximum (closed loop).
 *
 * <p>System properties: {@code rounds} (4), {@code phaseMillis} (3000), {@code rate} (1000),
 * {@code callers} (16), {@code warmupMillis} (5000), {@code protocols} (grpc,http).
 */
public final class OverheadStudy {
  private OverheadStudy() {}

  public static void main(String[] args) throws Exception {
    int rounds = Integer.getInteger("rounds", 4);
    long phaseMillis = Long.getLong("phaseMillis", 3000);
    int rate = Integer.getInteger("rate", 1000);
    int callers = Integer.getInteger("callers", 16);
    long warmupMillis = Long.getLong("warmupMillis", 5000);
    List<String> protocols = List.of(System.getProperty("protocols", "grpc,http").split(","));

    try (LoopbackServers.GrpcBackend grpcServer = new LoopbackServers.GrpcBackend();
         LoopbackServers.HttpBackend httpServer = new LoopbackServers.HttpBackend()) {
      AtomicLong spans = new AtomicLong();
      OpenTelemetrySdk otel = Clients.tracingSdk(spans);
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      Mesh mesh = Mesh.builder()
          .configSource(new StaticConfigSource(config(grpcServer.port(), httpServer.port())))
          .meterRegistry(registry)
          .openTelemetry(otel)
          .build();
      MeshGrpc meshGrpc = MeshGrpc.create(mesh);
      HttpClient plainHttp = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      MeshHttpClient meshHttp = MeshHttpClient.builder(mesh)
          .httpClient(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()).build();
      ManagedChannel plainChannel = NettyChannelBuilder.forAddress("127.0.0.1", grpcServer.port()).usePlaintext().build();
      try {
        for (String protocol : protocols) {
          Supplier<CompletableFuture<?>> plain;
          Supplier<CompletableFuture<?>> weft;
          if (protocol.equals("grpc")) {
            plain = Clients.grpcUnary(plainChannel, 0);
            weft = Clients.grpcUnary(meshGrpc.channel("echo-grpc"), 0);
          } else {
            plain = Clients.httpGet(r -> plainHttp.sendAsync(r, HttpResponse.BodyHandlers.discarding()),
                "http://127.0.0.1:" + httpServer.port() + "/echo");
            weft = Clients.httpGet(r -> meshHttp.sendAsync(r, HttpResponse.BodyHandlers.discarding()), "http://echo-http/echo");
          }
          run(protocol, plain, weft, rounds, phaseMillis, rate, callers, warmupMillis, spans);
        }
      } finally {
        plainChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        meshHttp.close();
        meshGrpc.close();
        mesh.close();
        otel.close();
      }
    }
  }

  private static MeshConfig config(int grpcPort, int httpPort) {
    RetryPolicy retry = RetryPolicy.builder().maxAttempts(3)
        .retryOn(RetryOn.UNAVAILABLE, RetryOn.CONNECT_FAILURE, RetryOn.FIVE_XX).build();
    return MeshConfig.builder()
        .cluster(Cluster.builder("echo-grpc").endpoints(Endpoint.of("127.0.0.1", grpcPort))
            .loadBalancing(LoadBalancing.of(LoadBalancing.ROUND_ROBIN)).build())
        .cluster(Cluster.builder("echo-http").endpoints(Endpoint.of("127.0.0.1", httpPort))
            .loadBalancing(LoadBalancing.of(LoadBalancing.ROUND_ROBIN)).build())
        .service(new Service("echo-grpc", List.of(
            Route.builder("canary").match(RouteMatch.ANY.withHeaders(HeaderMatch.exact("x-canary", "true")))
                .destinations(Destination.of("echo-grpc")).retry(retry).build(),
            Route.builder("default").destinations(Destination.of("echo-grpc")).retry(retry).build())))
        .service(new Service("echo-http", List.of(
            Route.builder("canary").match(RouteMatch.ANY.withHeaders(HeaderMatch.exact("x-canary", "true")))
                .destinations(Destination.of("echo-http")).retry(retry).build(),
            Route.builder("default").destinations(Destination.of("echo-http")).retry(retry).build())))
        .build();
  }

  private static void run(String protocol, Supplier<CompletableFuture<?>> plain, Supplier<CompletableFuture<?>> weft,
      int rounds, long phaseMillis, int rate, int callers, long warmupMillis, AtomicLong spans) throws InterruptedException {
    // Warm both paths (JIT, connections) with alternating closed-loop bursts.
    for (int i = 0; i < 4; i++) {
      Load.closedLoop(plain, callers, warmupMillis / 4);
      Load.closedLoop(weft, callers, warmupMillis / 4);
    }
    Map<String, Latencies> fixedLat = new LinkedHashMap<>();
    Map<String, Latencies> maxLat = new LinkedHashMap<>();
    Map<String, long[]> fixedTotals = new LinkedHashMap<>(); // ok, failed, cpu, wall
    Map<String, long[]> maxTotals = new LinkedHashMap<>();
    List<Double> maxRatios = new ArrayList<>();
    for (String p : List.of("plain", "weft")) {
      fixedLat.put(p, new Latencies(1 << 16));
      maxLat.put(p, new Latencies(1 << 16));
      fixedTotals.put(p, new long[4]);
      maxTotals.put(p, new long[4]);
    }
    long spans0 = spans.get();
    for (int round = 0; round < rounds; round++) {
      List<String> order = round % 2 == 0 ? List.of("plain", "weft") : List.of("weft", "plain");
      for (String p : order) {
        Load.gc();
        Load.Phase ph = Load.fixedRate(p.equals("plain") ? plain : weft, rate, phaseMillis, 10_000, Long.MAX_VALUE);
        accumulate(fixedTotals.get(p), fixedLat.get(p), ph);
      }
      double[] tput = new double[2];
      for (String p : order) {
        Load.gc();
        Load.Phase ph = Load.closedLoop(p.equals("plain") ? plain : weft, callers, phaseMillis);
        accumulate(maxTotals.get(p), maxLat.get(p), ph);
        tput[p.equals("plain") ? 0 : 1] = ph.throughput();
      }
      maxRatios.add(tput[1] / tput[0]);
      System.err.printf("%s round %d: max throughput plain %.0f/s weft %.0f/s%n", protocol, round, tput[0], tput[1]);
    }
    Collections.sort(maxRatios);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("study", "overhead");
    out.put("protocol", protocol);
    out.put("rounds", rounds);
    out.put("phaseMillis", phaseMillis);
    out.put("rate", rate);
    out.put("callers", callers);
    out.put("fixedRate", section(fixedLat, fixedTotals));
    Map<String, Object> max = section(maxLat, maxTotals);
    max.put("throughputRatioAggregate", rps(maxTotals.get("weft")) / rps(maxTotals.get("plain")));
    max.put("throughputRatioMedianOfRounds", maxRatios.get(maxRatios.size() / 2));
    max.put("throughputRatioPerRound", maxRatios.toString());
    out.put("max", max);
    out.put("spansExported", spans.get() - spans0);
    System.out.println(Json.of(out));
  }

  private static void accumulate(long[] totals, Latencies lat, Load.Phase ph) {
    totals[0] += ph.ok();
    totals[1] += ph.failed();
    totals[2] += ph.cpuNanos();
    totals[3] += ph.wallNanos();
    lat.addAll(ph.latencies());
  }

  private static double rps(long[] t) {
    return t[0] * 1e9 / t[3];
  }

  private static double cpuPer10k(long[] t) {
    return t[2] / 1e9 * 10_000.0 / (t[0] + t[1]);
  }

  private static Map<String, Object> section(Map<String, Latencies> lat, Map<String, long[]> totals) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (String p : lat.keySet()) {
      Map<String, Object> s = new LinkedHashMap<>();
      long[] t = totals.get(p);
      s.put("ok", t[0]);
      s.put("failed", t[1]);
      s.put("rps", rps(t));
      s.put("p50us", lat.get(p).percentileMicros(0.50));
      s.put("p99us", lat.get(p).percentileMicros(0.99));
      s.put("p999us", lat.get(p).percentileMicros(0.999));
      s.put("processCpuSecondsPer10k", cpuPer10k(t));
      m.put(p, s);
    }
    Latencies pl = lat.get("plain");
    Latencies wl = lat.get("weft");
    m.put("addedP50us", wl.percentileMicros(0.50) - pl.percentileMicros(0.50));
    m.put("addedP99us", wl.percentileMicros(0.99) - pl.percentileMicros(0.99));
    m.put("addedCpuSecondsPer10k", cpuPer10k(totals.get("weft")) - cpuPer10k(totals.get("plain")));
    m.put("cpuRatio", cpuPer10k(totals.get("weft")) / cpuPer10k(totals.get("plain")));
    return m;
  }
}
