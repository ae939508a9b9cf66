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
import dev.weft.mesh.grpc.MeshGrpcRegistration;
import dev.weft.mesh.http.MeshHttpClient;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.netty.NettyChannelBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
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
 * policy (configured, never triggered), Micrometer metrics and OpenTelemetry tracing (SDK, every
 * span sampled, batch processor, dropping exporter). The two paths run in alternating rounds in one
 * JVM, the order flipped every round, at a fixed rate (open loop) and at maximum (closed loop).
 *
 * <p>System properties: {@code rounds} (4), {@code phaseMillis} (3000), {@code rate} (1000), {@code
 * callers} (16), {@code warmupMillis} (5000), {@code protocols} (grpc,http), {@code telemetry}
 * (true; false leaves Weft without meter registry and OpenTelemetry). With {@code sidecarGrpcPort}
 * and {@code sidecarHttpPort} set (see {@code run-sidecar-anchor.sh}), a third path sends the plain
 * client's calls through a client-side proxy listening there, which forwards to a server-side proxy
 * in front of the servers; then the servers listen on {@code grpcPort} and {@code httpPort}. Unless
 * {@code -Dxds=false}, the gRPC workload also runs through grpc-java's own {@code xds:///} channel
 * fed by java-control-plane on loopback ({@link XdsAnchor}), and through a plain grpc-java channel
 * built for the {@code mesh:///} target of the same mesh ({@code weft-target}: what a call pays for
 * going through grpc-java's channel and config selector on its way to the mesh).
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

    int sidecarGrpcPort = Integer.getInteger("sidecarGrpcPort", 0);
    int sidecarHttpPort = Integer.getInteger("sidecarHttpPort", 0);
    try (LoopbackServers.GrpcBackend grpcServer =
            new LoopbackServers.GrpcBackend(Integer.getInteger("grpcPort", 0));
        LoopbackServers.HttpBackend httpServer =
            new LoopbackServers.HttpBackend(Integer.getInteger("httpPort", 0))) {
      AtomicLong spans = new AtomicLong();
      OpenTelemetrySdk otel = Clients.tracingSdk(spans);
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      boolean telemetry = Boolean.parseBoolean(System.getProperty("telemetry", "true"));
      Mesh.Builder meshBuilder =
          Mesh.builder()
              .configSource(new StaticConfigSource(config(grpcServer.port(), httpServer.port())));
      if (telemetry) {
        meshBuilder.meterRegistry(registry).openTelemetry(otel);
      }
      Mesh mesh = meshBuilder.build();
      MeshGrpc meshGrpc = MeshGrpc.create(mesh);
      // The same mesh behind a plain grpc-java channel built from a mesh:/// target.
      MeshGrpcRegistration registration = meshGrpc.registerDefault();
      ManagedChannel targetChannel = ManagedChannelBuilder.forTarget("mesh:///echo-grpc").build();
      HttpClient plainHttp = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      MeshHttpClient meshHttp =
          MeshHttpClient.builder(mesh)
              .httpClient(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build())
              .build();
      ManagedChannel plainChannel =
          NettyChannelBuilder.forAddress("127.0.0.1", grpcServer.port()).usePlaintext().build();
      ManagedChannel sidecarChannel =
          NettyChannelBuilder.forAddress("127.0.0.1", sidecarGrpcPort > 0 ? sidecarGrpcPort : 1)
              .usePlaintext()
              .build();
      XdsAnchor xds =
          Boolean.parseBoolean(System.getProperty("xds", "true"))
              ? new XdsAnchor("echo-grpc", grpcServer.port())
              : null;
      HttpClient sidecarHttp = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      try {
        for (String protocol : protocols) {
          Map<String, Supplier<CompletableFuture<?>>> paths = new LinkedHashMap<>();
          if (protocol.equals("grpc")) {
            paths.put("plain", Clients.grpcUnary(plainChannel, 0));
            paths.put("weft", Clients.grpcUnary(meshGrpc.channel("echo-grpc"), 0));
            paths.put("weft-target", Clients.grpcUnary(targetChannel, 0));
            if (xds != null) {
              paths.put("grpcxds", Clients.grpcUnary(xds.channel, 0));
            }
            if (sidecarGrpcPort > 0) {
              paths.put("sidecar", Clients.grpcUnary(sidecarChannel, 0));
            }
          } else {
            paths.put(
                "plain",
                Clients.httpGet(
                    r -> plainHttp.sendAsync(r, HttpResponse.BodyHandlers.discarding()),
                    "http://127.0.0.1:" + httpServer.port() + "/echo"));
            paths.put(
                "weft",
                Clients.httpGet(
                    r -> meshHttp.sendAsync(r, HttpResponse.BodyHandlers.discarding()),
                    "http://echo-http/echo"));
            if (sidecarHttpPort > 0) {
              paths.put(
                  "sidecar",
                  Clients.httpGet(
                      r -> sidecarHttp.sendAsync(r, HttpResponse.BodyHandlers.discarding()),
                      "http://127.0.0.1:" + sidecarHttpPort + "/echo"));
            }
          }
          run(protocol, paths, rounds, phaseMillis, rate, callers, warmupMillis, spans);
        }
      } finally {
        plainChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        targetChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        registration.close();
        sidecarChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        if (xds != null) {
          xds.close();
        }
        meshHttp.close();
        meshGrpc.close();
        mesh.close();
        otel.close();
      }
    }
  }

  static MeshConfig config(int grpcPort, int httpPort) {
    RetryPolicy retry =
        RetryPolicy.builder()
            .maxAttempts(3)
            .retryOn(RetryOn.UNAVAILABLE, RetryOn.CONNECT_FAILURE, RetryOn.FIVE_XX)
            .build();
    return MeshConfig.builder()
        .cluster(
            Cluster.builder("echo-grpc")
                .endpoints(Endpoint.of("127.0.0.1", grpcPort))
                .loadBalancing(LoadBalancing.of(LoadBalancing.ROUND_ROBIN))
                .build())
        .cluster(
            Cluster.builder("echo-http")
                .endpoints(Endpoint.of("127.0.0.1", httpPort))
                .loadBalancing(LoadBalancing.of(LoadBalancing.ROUND_ROBIN))
                .build())
        .service(
            new Service(
                "echo-grpc",
                List.of(
                    Route.builder("canary")
                        .match(RouteMatch.ANY.withHeaders(HeaderMatch.exact("x-canary", "true")))
                        .destinations(Destination.of("echo-grpc"))
                        .retry(retry)
                        .build(),
                    Route.builder("default")
                        .destinations(Destination.of("echo-grpc"))
                        .retry(retry)
                        .build())))
        .service(
            new Service(
                "echo-http",
                List.of(
                    Route.builder("canary")
                        .match(RouteMatch.ANY.withHeaders(HeaderMatch.exact("x-canary", "true")))
                        .destinations(Destination.of("echo-http"))
                        .retry(retry)
                        .build(),
                    Route.builder("default")
                        .destinations(Destination.of("echo-http"))
                        .retry(retry)
                        .build())))
        .build();
  }

  private static void run(
      String protocol,
      Map<String, Supplier<CompletableFuture<?>>> paths,
      int rounds,
      long phaseMillis,
      int rate,
      int callers,
      long warmupMillis,
      AtomicLong spans)
      throws InterruptedException {
    List<String> names = new ArrayList<>(paths.keySet());
    // Warm every path (JIT, connections) with alternating closed-loop bursts.
    for (int i = 0; i < 4; i++) {
      for (String p : names) {
        Load.closedLoop(paths.get(p), callers, warmupMillis / 4);
      }
    }
    Map<String, Latencies> fixedLat = new LinkedHashMap<>();
    Map<String, Latencies> maxLat = new LinkedHashMap<>();
    Map<String, long[]> fixedTotals = new LinkedHashMap<>(); // ok, failed, cpu, wall
    Map<String, long[]> maxTotals = new LinkedHashMap<>();
    Map<String, List<Double>> maxRatios = new LinkedHashMap<>();
    for (String p : names) {
      fixedLat.put(p, new Latencies(1 << 16));
      maxLat.put(p, new Latencies(1 << 16));
      fixedTotals.put(p, new long[4]);
      maxTotals.put(p, new long[4]);
      maxRatios.put(p, new ArrayList<>());
    }
    long spans0 = spans.get();
    for (int round = 0; round < rounds; round++) {
      List<String> order = new ArrayList<>(names);
      Collections.rotate(order, round);
      if (round % 2 == 1) {
        Collections.reverse(order);
      }
      for (String p : order) {
        Load.gc();
        Load.Phase ph = Load.fixedRate(paths.get(p), rate, phaseMillis, 10_000, Long.MAX_VALUE);
        accumulate(fixedTotals.get(p), fixedLat.get(p), ph);
      }
      Map<String, Double> tput = new LinkedHashMap<>();
      for (String p : order) {
        Load.gc();
        Load.Phase ph = Load.closedLoop(paths.get(p), callers, phaseMillis);
        accumulate(maxTotals.get(p), maxLat.get(p), ph);
        tput.put(p, ph.throughput());
      }
      for (String p : names) {
        maxRatios.get(p).add(tput.get(p) / tput.get("plain"));
      }
      System.err.printf("%s round %d: max throughput %s%n", protocol, round, tput);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("study", "overhead");
    out.put("protocol", protocol);
    out.put("rounds", rounds);
    out.put("phaseMillis", phaseMillis);
    out.put("rate", rate);
    out.put("callers", callers);
    out.put("weftTelemetry", Boolean.parseBoolean(System.getProperty("telemetry", "true")));
    Map<String, Object> fixed = section(fixedLat, fixedTotals);
    out.put("fixedRate", fixed);
    Map<String, Object> max = section(maxLat, maxTotals);
    for (String p : names) {
      if (!p.equals("plain")) {
        List<Double> r = maxRatios.get(p);
        Collections.sort(r);
        max.put(
            p + "ThroughputRatioAggregate", rps(maxTotals.get(p)) / rps(maxTotals.get("plain")));
        max.put(p + "ThroughputRatioMedianOfRounds", r.get(r.size() / 2));
        max.put(p + "ThroughputRatioPerRound", r.toString());
      }
    }
    out.put("max", max);
    out.put("weftSpansExported", spans.get() - spans0);
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

  private static Map<String, Object> section(
      Map<String, Latencies> lat, Map<String, long[]> totals) {
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
    double plainCpu = cpuPer10k(totals.get("plain"));
    for (String p : lat.keySet()) {
      if (p.equals("plain")) {
        continue;
      }
      Latencies l = lat.get(p);
      m.put(p + "AddedP50us", l.percentileMicros(0.50) - pl.percentileMicros(0.50));
      m.put(p + "AddedP99us", l.percentileMicros(0.99) - pl.percentileMicros(0.99));
      m.put(p + "AddedCpuSecondsPer10k", cpuPer10k(totals.get(p)) - plainCpu);
      m.put(p + "CpuRatio", cpuPer10k(totals.get(p)) / plainCpu);
    }
    return m;
  }
}
