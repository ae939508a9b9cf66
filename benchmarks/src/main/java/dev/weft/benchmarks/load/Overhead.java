package dev.weft.benchmarks.load;

import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.core.StaticConfigSource;
import dev.weft.mesh.grpc.MeshGrpc;
import dev.weft.mesh.http.MeshHttpClient;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The one command that says what the mesh costs per call, as ratios and differences against the
 * plain client measured in the same rounds of one JVM.
 *
 * <p>gRPC unary: a plain grpc-java Netty channel, grpc-java's own {@code xds:///} channel (fed by
 * java-control-plane on loopback), and Weft's mesh channel twice: without telemetry and with a
 * Micrometer registry and the OpenTelemetry SDK (every span sampled, a batch processor, an exporter
 * that drops them). HTTP GET: the JDK {@code HttpClient} and {@code MeshHttpClient} without and
 * with telemetry. Every round runs each path at a fixed rate (open loop, latency from each call's
 * intended start) and then closed-loop at maximum, the order rotated every round.
 *
 * <p>For each path it prints: added latency p50/p90/p99 at the fixed rate, process CPU per call
 * (the JVM's {@code OperatingSystemMXBean} process CPU time over the phase, divided by its calls;
 * the servers are the same for every path, so differences are the client side's cost), maximum
 * throughput as a ratio to plain (median of the rounds), and bytes allocated per call by all
 * threads ({@code ThreadMXBean}). Differences and ratios are medians of per-round values, which
 * keeps a round disturbed by another process from moving the result.
 *
 * <p>System properties: {@code rounds} (6), {@code phaseMillis} (3000), {@code rate} (1000), {@code
 * callers} (16), {@code warmupMillis} (10000), {@code protocols} (grpc,http), {@code xds} (true),
 * {@code out} (a file for the JSON line, besides stdout), {@code only} (the paths to run, for a
 * profile of one path: {@code -Donly=weft-on}; the first path left is the reference).
 *
 * <p>Run: {@code benchmarks/run-study.sh Overhead}.
 */
public final class Overhead {
  private Overhead() {}

  /** One path's totals over all rounds, and its per-round figures. */
  private static final class PathStats {
    final String name;
    final Supplier<CompletableFuture<?>> call;
    final Latencies fixedLatencies = new Latencies(1 << 16);
    final List<Double> fixedCpuPerCall = new ArrayList<>();
    final List<Double> maxCpuPerCall = new ArrayList<>();
    final List<Double> allocPerCall = new ArrayList<>();
    final List<Double> maxRps = new ArrayList<>();
    final List<Double> fixedP50 = new ArrayList<>();
    long failed;

    PathStats(String name, Supplier<CompletableFuture<?>> call) {
      this.name = name;
      this.call = call;
    }
  }

  public static void main(String[] args) throws Exception {
    int rounds = Integer.getInteger("rounds", 6);
    long phaseMillis = Long.getLong("phaseMillis", 3000);
    int rate = Integer.getInteger("rate", 1000);
    int callers = Integer.getInteger("callers", 16);
    long warmupMillis = Long.getLong("warmupMillis", 10_000);
    List<String> protocols = List.of(System.getProperty("protocols", "grpc,http").split(","));
    boolean withXds = Boolean.parseBoolean(System.getProperty("xds", "true"));
    String started = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();

    try (LoopbackServers.GrpcBackend grpcServer = new LoopbackServers.GrpcBackend(0);
        LoopbackServers.HttpBackend httpServer = new LoopbackServers.HttpBackend(0)) {
      MeshConfig config = OverheadStudy.config(grpcServer.port(), httpServer.port());
      AtomicLong spans = new AtomicLong();
      OpenTelemetrySdk otel = Clients.tracingSdk(spans);
      Mesh meshOff = Mesh.builder().configSource(new StaticConfigSource(config)).build();
      Mesh meshOn =
          Mesh.builder()
              .configSource(new StaticConfigSource(config))
              .meterRegistry(new SimpleMeterRegistry())
              .openTelemetry(otel)
              .build();
      MeshGrpc grpcOff = MeshGrpc.create(meshOff);
      MeshGrpc grpcOn = MeshGrpc.create(meshOn);
      HttpClient plainHttp = http1();
      MeshHttpClient httpOff = MeshHttpClient.builder(meshOff).httpClient(http1()).build();
      MeshHttpClient httpOn = MeshHttpClient.builder(meshOn).httpClient(http1()).build();
      ManagedChannel plainChannel =
          NettyChannelBuilder.forAddress("127.0.0.1", grpcServer.port()).usePlaintext().build();
      XdsAnchor xds = withXds ? new XdsAnchor("echo-grpc", grpcServer.port()) : null;
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("study", "overhead-per-call");
      out.put("machine", machine());
      out.put("started", started);
      out.put("rounds", rounds);
      out.put("phaseMillis", phaseMillis);
      out.put("rate", rate);
      out.put("callers", callers);
      StringBuilder report = new StringBuilder();
      try {
        for (String protocol : protocols) {
          List<PathStats> paths = new ArrayList<>();
          if (protocol.equals("grpc")) {
            paths.add(new PathStats("plain", Clients.grpcUnary(plainChannel, 0)));
            if (xds != null) {
              paths.add(new PathStats("grpcxds", Clients.grpcUnary(xds.channel, 0)));
            }
            paths.add(
                new PathStats("weft-off", Clients.grpcUnary(grpcOff.channel("echo-grpc"), 0)));
            paths.add(new PathStats("weft-on", Clients.grpcUnary(grpcOn.channel("echo-grpc"), 0)));
          } else {
            String direct = "http://127.0.0.1:" + httpServer.port() + "/echo";
            paths.add(
                new PathStats(
                    "plain",
                    Clients.httpGet(
                        r -> plainHttp.sendAsync(r, HttpResponse.BodyHandlers.discarding()),
                        direct)));
            paths.add(
                new PathStats(
                    "weft-off",
                    Clients.httpGet(
                        r -> httpOff.sendAsync(r, HttpResponse.BodyHandlers.discarding()),
                        "http://echo-http/echo")));
            paths.add(
                new PathStats(
                    "weft-on",
                    Clients.httpGet(
                        r -> httpOn.sendAsync(r, HttpResponse.BodyHandlers.discarding()),
                        "http://echo-http/echo")));
          }
          String only = System.getProperty("only");
          if (only != null) {
            List<String> keep = List.of(only.split(","));
            paths.removeIf(p -> !keep.contains(p.name));
          }
          out.put(
              protocol,
              run(protocol, paths, rounds, phaseMillis, rate, callers, warmupMillis, report));
        }
      } finally {
        plainChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        if (xds != null) {
          xds.close();
        }
        httpOff.close();
        httpOn.close();
        grpcOff.close();
        grpcOn.close();
        meshOff.close();
        meshOn.close();
        otel.close();
      }
      out.put("weftSpansExported", spans.get());
      out.put("finished", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
      System.err.println();
      System.err.print(report);
      String json = Json.of(out);
      System.out.println(json);
      String file = System.getProperty("out");
      if (file != null) {
        Files.writeString(Path.of(file), json + System.lineSeparator());
      }
    }
  }

  private static HttpClient http1() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  private static Map<String, Object> run(
      String protocol,
      List<PathStats> paths,
      int rounds,
      long phaseMillis,
      int rate,
      int callers,
      long warmupMillis,
      StringBuilder report)
      throws InterruptedException {
    for (int i = 0; i < 4; i++) {
      for (PathStats p : paths) {
        Load.closedLoop(p.call, callers, warmupMillis / 4 / paths.size());
      }
    }
    for (int round = 0; round < rounds; round++) {
      List<PathStats> order = new ArrayList<>(paths);
      Collections.rotate(order, round);
      if (round % 2 == 1) {
        Collections.reverse(order);
      }
      for (PathStats p : order) {
        Load.gc();
        Load.Phase ph = Load.fixedRate(p.call, rate, phaseMillis, 10_000, Long.MAX_VALUE);
        p.fixedLatencies.addAll(ph.latencies());
        p.fixedP50.add(ph.latencies().percentileMicros(0.5));
        p.fixedCpuPerCall.add(ph.cpuNanos() / 1e3 / Math.max(1, ph.ok() + ph.failed()));
        p.allocPerCall.add((double) ph.allocatedBytes() / Math.max(1, ph.ok() + ph.failed()));
        p.failed += ph.failed();
      }
      StringBuilder line = new StringBuilder();
      for (PathStats p : order) {
        Load.gc();
        Load.Phase ph = Load.closedLoop(p.call, callers, phaseMillis);
        p.maxRps.add(ph.throughput());
        p.maxCpuPerCall.add(ph.cpuNanos() / 1e3 / Math.max(1, ph.ok() + ph.failed()));
        p.failed += ph.failed();
        line.append(String.format(Locale.ROOT, " %s=%.0f", p.name, ph.throughput()));
      }
      System.err.printf("%s round %d/%d: max rps%s%n", protocol, round + 1, rounds, line);
    }
    PathStats plain = paths.get(0);
    Map<String, Object> section = new LinkedHashMap<>();
    report.append(
        String.format(
            Locale.ROOT,
            "%s unary%s, %d rounds of %d ms, %d rps fixed, %d callers at max%n",
            protocol.equals("grpc") ? "gRPC" : "HTTP GET",
            "",
            rounds,
            phaseMillis,
            rate,
            callers));
    report.append(
        String.format(
            Locale.ROOT,
            "  %-9s %9s %9s %9s %9s %11s %11s %9s %10s %10s%n",
            "path",
            "p50 µs",
            "+p50",
            "+p90",
            "+p99",
            "CPU µs/call",
            "+CPU µs",
            "max/plain",
            "B/call",
            "+B/call"));
    for (PathStats p : paths) {
      Map<String, Object> s = new LinkedHashMap<>();
      double p50 = p.fixedLatencies.percentileMicros(0.50);
      double p90 = p.fixedLatencies.percentileMicros(0.90);
      double p99 = p.fixedLatencies.percentileMicros(0.99);
      s.put("p50us", p50);
      s.put("p90us", p90);
      s.put("p99us", p99);
      s.put("addedP50us", p50 - plain.fixedLatencies.percentileMicros(0.50));
      s.put("addedP90us", p90 - plain.fixedLatencies.percentileMicros(0.90));
      s.put("addedP99us", p99 - plain.fixedLatencies.percentileMicros(0.99));
      s.put("addedP50usMedianOfRounds", medianDiff(p.fixedP50, plain.fixedP50));
      s.put("cpuUsPerCallMax", median(p.maxCpuPerCall));
      s.put("addedCpuUsPerCallMax", medianDiff(p.maxCpuPerCall, plain.maxCpuPerCall));
      s.put("cpuUsPerCallFixedRate", median(p.fixedCpuPerCall));
      s.put("addedCpuUsPerCallFixedRate", medianDiff(p.fixedCpuPerCall, plain.fixedCpuPerCall));
      s.put("maxRps", median(p.maxRps));
      s.put("throughputRatio", medianRatio(p.maxRps, plain.maxRps));
      s.put("throughputRatioPerRound", ratios(p.maxRps, plain.maxRps).toString());
      s.put("allocBytesPerCall", median(p.allocPerCall));
      s.put("addedAllocBytesPerCall", medianDiff(p.allocPerCall, plain.allocPerCall));
      s.put("failed", p.failed);
      section.put(p.name, s);
      report.append(
          String.format(
              Locale.ROOT,
              "  %-9s %9.1f %+9.1f %+9.1f %+9.1f %11.1f %+11.1f %9.3f %10.0f %+10.0f%n",
              p.name,
              p50,
              (double) s.get("addedP50us"),
              (double) s.get("addedP90us"),
              (double) s.get("addedP99us"),
              (double) s.get("cpuUsPerCallMax"),
              (double) s.get("addedCpuUsPerCallMax"),
              (double) s.get("throughputRatio"),
              (double) s.get("allocBytesPerCall"),
              (double) s.get("addedAllocBytesPerCall")));
    }
    report.append(
        "  (+: over plain. Latency at the fixed rate; CPU and throughput closed-loop; CPU, ratio and"
            + " bytes are medians of per-round values.)\n\n");
    return section;
  }

  private static double median(List<Double> values) {
    List<Double> v = new ArrayList<>(values);
    Collections.sort(v);
    int n = v.size();
    return n == 0 ? Double.NaN : n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
  }

  private static double medianDiff(List<Double> a, List<Double> b) {
    List<Double> d = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      d.add(a.get(i) - b.get(i));
    }
    return median(d);
  }

  private static List<Double> ratios(List<Double> a, List<Double> b) {
    List<Double> r = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      r.add(Math.round(a.get(i) / b.get(i) * 1000) / 1000.0);
    }
    return r;
  }

  private static double medianRatio(List<Double> a, List<Double> b) {
    return median(ratios(a, b));
  }

  /** The machine, so that a result line says where it was measured. */
  static String machine() {
    String cpu = "unknown CPU";
    try {
      for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (l.startsWith("model name")) {
          cpu = l.substring(l.indexOf(':') + 1).trim();
          break;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: the processor's name is not known
    }
    return String.format(
        Locale.ROOT,
        "%d cores, %s, %d MiB max heap, %s %s, %s %s, load average %.2f at start",
        Runtime.getRuntime().availableProcessors(),
        cpu,
        Runtime.getRuntime().maxMemory() >> 20,
        System.getProperty("java.vm.name"),
        System.getProperty("java.runtime.version"),
        System.getProperty("os.name"),
        System.getProperty("os.version"),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }
}
