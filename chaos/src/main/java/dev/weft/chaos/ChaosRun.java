package dev.weft.chaos;

import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.grpc.MeshGrpc;
import dev.weft.mesh.http.MeshHttpClient;
import dev.weft.mesh.testing.xds.TestControlPlane;
import dev.weft.mesh.xds.XdsConfigSource;
import dev.weft.mesh.xds.bootstrap.Bootstrap;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The fault harness: real mutual-TLS gRPC and HTTPS backends on loopback (three per protocol, each
 * behind a {@link FaultProxy}), Envoy's java-control-plane serving them over xDS, and a Weft mesh
 * calling them under a fixed-rate open-loop load while a schedule of phases injects faults. Prints
 * one table row per phase and whether the targets were met.
 *
 * <p>Arguments: {@code --rate N} (calls a second, cycling gRPC unary, gRPC streaming and HTTP;
 * default 150), {@code --schedule SPEC} (see {@link Schedule}; default {@link Schedule#DEFAULT}),
 * {@code --soak 10m} (repeat {@link Schedule#SOAK_CYCLE} for that long, sampling heap after a full
 * GC, threads, file descriptors and connections every 10 s, and print a slope for each).
 */
public final class ChaosRun implements AutoCloseable {
  static final int BACKENDS = 3;
  static final int KILLED = 0;
  static final int STALLED = 1;
  static final int RESETTING = 2;

  /**
   * The most load before the first phase, not counted (connections, TLS sessions, JIT): it ends
   * after {@link #WARM_UP_MIN}, at the first 5 s with no failed call and a p99 under 250 ms.
   */
  static final Duration WARM_UP = Duration.ofSeconds(120);

  static final Duration WARM_UP_MIN = Duration.ofSeconds(30);

  private final PrintStream out = System.out;
  private final PrintStream log = System.err;
  private final Path dir;
  private final Certs certs;
  private final List<Backends.Backend> grpcBackends = new ArrayList<>();
  private final List<Backends.Backend> httpBackends = new ArrayList<>();
  private final List<FaultProxy> grpcProxies = new ArrayList<>();
  private final List<FaultProxy> httpProxies = new ArrayList<>();
  private final TestControlPlane controlPlane;
  private final int controlPlanePort;
  private final XdsWorld world;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Meters meters = new Meters(registry);
  private final Mesh mesh;
  private final MeshGrpc grpc;
  private final MeshHttpClient http;
  private final LoadDriver load;
  private final int rate;

  /** When each cluster ejected an endpoint, over the whole run. */
  private final Map<String, List<Long>> ejectionLog = new LinkedHashMap<>();

  private Map<String, Long> ejectedCounts = Map.of();

  /** Meter snapshots every half second: the calls of the retry budget's window before a phase. */
  private final List<Map.Entry<Long, Map<String, Meters.Counts>>> history = new ArrayList<>();

  /** What one phase measured. */
  record Result(
      PhaseStats stats,
      double seconds,
      Map<String, Meters.Counts> perCluster,
      Map<String, Meters.Counts> windowBefore,
      List<Long> ejectionNanos,
      Map<String, List<Long>> ejectionsByCluster,
      Map<String, Long> earlierEjections,
      long faultStartNanos,
      long faultEndNanos,
      String notes) {
    Meters.Counts total() {
      Meters.Counts t = Meters.Counts.ZERO;
      for (Meters.Counts c : perCluster.values()) {
        t = t.plus(c);
      }
      return t;
    }

    /**
     * The largest share of its budget a cluster used: against the windowed bound (the calls of the
     * budget's window before the phase count), or the strict one (the phase's calls only).
     */
    double budgetUse(boolean windowed) {
      double worst = 0;
      for (Map.Entry<String, Meters.Counts> e : perCluster.entrySet()) {
        Meters.Counts c = e.getValue();
        long before =
            windowed ? windowBefore.getOrDefault(e.getKey(), Meters.Counts.ZERO).calls() : 0;
        double allowed = RetryBudgetCheck.DEFAULT.allowed(c.calls(), before, seconds);
        worst = Math.max(worst, (c.retries() + c.hedges()) / allowed);
      }
      return worst;
    }

    /** Whether every cluster stayed within its (windowed) budget. */
    boolean budgetHeld() {
      return budgetUse(true) <= 1.0;
    }
  }

  ChaosRun(int rate) throws Exception {
    this.rate = rate;
    dir = Files.createTempDirectory("weft-chaos");
    certs = new Certs(dir);
    int[] grpcPorts = new int[BACKENDS];
    int[] httpPorts = new int[BACKENDS];
    for (int i = 0; i < BACKENDS; i++) {
      Backends.Grpc g = new Backends.Grpc(certs.grpcServer);
      grpcBackends.add(g);
      FaultProxy gp = new FaultProxy(g.port());
      grpcProxies.add(gp);
      grpcPorts[i] = gp.port();
      Backends.Https h = new Backends.Https(certs.httpServer);
      httpBackends.add(h);
      FaultProxy hp = new FaultProxy(h.port());
      httpProxies.add(hp);
      httpPorts[i] = hp.port();
    }
    controlPlane = new TestControlPlane().start();
    controlPlanePort = controlPlane.port();
    world = new XdsWorld(controlPlane, grpcPorts, httpPorts, Certs.GRPC_SERVER, Certs.HTTP_SERVER);
    world.publish(50);

    Bootstrap plain = Bootstrap.forServer(controlPlane.target(), "chaos-client");
    Bootstrap bootstrap =
        new Bootstrap(
            plain.node(),
            plain.servers(),
            Map.of(
                "default",
                new Bootstrap.CertificateProvider(
                    "default",
                    "file_watcher",
                    certs.clientFiles.chain().toString(),
                    certs.clientFiles.key().toString(),
                    certs.clientFiles.ca().toString(),
                    Duration.ofMinutes(10))),
            "",
            "%s");
    XdsConfigSource source =
        XdsConfigSource.builder(bootstrap)
            .targets("xds:///" + XdsWorld.GRPC_LISTENER, "xds:///" + XdsWorld.HTTP_LISTENER)
            .reconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(1))
            .build();
    mesh = Mesh.builder().configSource(source).meterRegistry(registry).build();
    if (!mesh.awaitReady(Duration.ofSeconds(30))) {
      throw new IllegalStateException("the mesh did not get its first configuration in 30 s");
    }
    grpc = MeshGrpc.builder(mesh).workloadTls(certs.client).build();
    http = MeshHttpClient.builder(mesh).workloadTls(certs.client).build();
    load =
        new LoadDriver(
            grpc.channel("grpc.chaos.local"),
            r -> http.sendAsync(r, HttpResponse.BodyHandlers.discarding()),
            URI.create("http://http.chaos.local/item"),
            rate);
  }

  public static void main(String[] args) throws Exception {
    int rate = 30;
    String schedule = Schedule.DEFAULT;
    Duration soak = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rate" -> rate = Integer.parseInt(args[++i]);
        case "--schedule" -> schedule = args[++i];
        case "--soak" -> soak = Schedule.duration(args[++i]);
        default ->
            throw new IllegalArgumentException(
                "unknown argument '" + args[i] + "'; use --rate N, --schedule SPEC, --soak 10m");
      }
    }
    if (rate < 3 || rate > 2000) {
      throw new IllegalArgumentException("--rate must be 3 to 2000 calls a second");
    }
    Schedule s = Schedule.parse(soak == null ? schedule : Schedule.SOAK_CYCLE);
    long t0 = System.nanoTime();
    try (ChaosRun run = new ChaosRun(rate)) {
      run.log.printf("set up in %.1f s; warming up%n", (System.nanoTime() - t0) / 1e9);
      run.warmUp();
      if (soak == null) {
        List<Result> results = new ArrayList<>();
        for (Schedule.Phase p : s.phases()) {
          results.add(run.phase(p));
        }
        run.drain();
        run.report(results);
      } else {
        run.soak(s, soak);
      }
    }
    System.err.printf("total %.1f s%n", (System.nanoTime() - t0) / 1e9);
    // Non-daemon threads of closed libraries must not keep the run alive.
    System.exit(0);
  }

  private void warmUp() {
    long start = System.nanoTime();
    Duration window = Duration.ofSeconds(5);
    PhaseStats w = new PhaseStats(new Schedule.Phase(Schedule.Kind.BASELINE, window), start);
    load.start(w);
    while (true) {
      sleepNanos(window.toNanos());
      PhaseStats next =
          new PhaseStats(new Schedule.Phase(Schedule.Kind.BASELINE, window), System.nanoTime());
      load.phase(next);
      long elapsed = System.nanoTime() - start;
      log.printf(
          Locale.ROOT,
          "warm-up +%.0fs: %d calls, %d failed, p99 %.1f ms %s%n",
          elapsed / 1e9,
          w.calls.get(),
          w.failed.get(),
          w.percentileMillis(99),
          w.reasons());
      boolean healthy = w.failed.get() == 0 && w.percentileMillis(99) < 250;
      if ((healthy && elapsed >= WARM_UP_MIN.toNanos()) || elapsed >= WARM_UP.toNanos()) {
        return;
      }
      w = next;
    }
  }

  /** An action at an offset into the phase. */
  private record Event(long atNanos, String what, Action action) {}

  @FunctionalInterface
  private interface Action {
    void run() throws Exception;
  }

  Result phase(Schedule.Phase ph) throws Exception {
    long d = ph.duration().toNanos();
    List<Event> events = new ArrayList<>();
    long faultStart = 0;
    long faultEnd = 0;
    StringBuilder notes = new StringBuilder();
    switch (ph.kind()) {
      case BASELINE -> {}
      case KILL -> {
        faultStart = d / 10;
        faultEnd = d / 2;
        events.add(new Event(faultStart, "kill backend " + KILLED, () -> kill(KILLED)));
        events.add(new Event(faultEnd, "restart backend " + KILLED, () -> restart(KILLED)));
      }
      case STALL -> {
        faultStart = d / 10;
        faultEnd = d * 7 / 10;
        events.add(
            new Event(
                faultStart,
                "stall backend " + STALLED,
                () -> proxies(STALLED, FaultProxy.Mode.STALL)));
        events.add(
            new Event(
                faultEnd,
                "unstall backend " + STALLED,
                () -> proxies(STALLED, FaultProxy.Mode.PASS)));
      }
      case RESET -> {
        faultStart = d / 10;
        faultEnd = d * 7 / 10;
        events.add(
            new Event(
                faultStart,
                "backend " + RESETTING + " resets",
                () -> proxies(RESETTING, FaultProxy.Mode.RESET)));
        events.add(
            new Event(
                faultEnd,
                "backend " + RESETTING + " passes",
                () -> proxies(RESETTING, FaultProxy.Mode.PASS)));
      }
      case OUTAGE -> {
        faultStart = TimeUnit.SECONDS.toNanos(5);
        faultEnd = d - TimeUnit.SECONDS.toNanos(10);
        events.add(new Event(faultStart, "control plane stopped", controlPlane::stop));
        events.add(
            new Event(
                faultEnd,
                "control plane restarted",
                () -> {
                  String v = world.publish(70);
                  controlPlane.startOn(controlPlanePort);
                  notes.append("restarted serving ").append(v).append(" (weights 70/30)");
                }));
      }
      case CHURN -> {
        faultStart = 0;
        faultEnd = d;
        int[] n = {0};
        for (long t = 0; t < d; t += TimeUnit.MILLISECONDS.toNanos(100)) {
          events.add(
              new Event(
                  t,
                  null,
                  () -> {
                    world.publish(n[0]++ % 2 == 0 ? 80 : 20);
                  }));
        }
        events.add(
            new Event(
                d - 1,
                null,
                () -> notes.append(n[0]).append(" updates, last v").append(world.version())));
      }
      case ROTATION -> {
        faultStart = d / 10;
        faultEnd = d / 2;
        for (long at : new long[] {faultStart, faultEnd}) {
          events.add(
              new Event(
                  at,
                  "rotate every certificate",
                  () -> {
                    int reloaded = certs.rotate();
                    if (reloaded != 3) {
                      notes.append("only ").append(reloaded).append(" of 3 reloaded; ");
                    }
                  }));
        }
        events.add(
            new Event(
                d - 1, null, () -> notes.append(certs.rotations()).append(" rotations so far")));
      }
      case BURST -> {
        faultStart = d / 4;
        faultEnd = d * 3 / 4;
        events.add(new Event(faultStart, "10x load", () -> load.rate(rate * 10)));
        events.add(new Event(faultEnd, "load back to 1x", () -> load.rate(rate)));
      }
      case ALL_FAIL -> {
        faultStart = 0;
        faultEnd = d;
        events.add(new Event(0, "every backend fails", () -> failing(true)));
      }
    }
    long start = System.nanoTime();
    PhaseStats stats = new PhaseStats(ph, start);
    Map<String, Meters.Counts> before = meters.snapshot();
    Map<String, Meters.Counts> windowBefore =
        Meters.delta(before, snapshotAt(start - (long) (RetryBudgetCheck.WINDOW_SECONDS * 1e9)));
    load.phase(stats);
    log.printf("%s phase %s%n", Instant.now(), ph);
    List<Long> ejections = new ArrayList<>();
    Map<String, List<Long>> byCluster = new LinkedHashMap<>();
    // Ejections made in the base ejection time before the phase may still hold an endpoint out,
    // and with it the cluster's room under maxEjectionPercent.
    Map<String, Long> earlier = new LinkedHashMap<>();
    pollEjections(null, null);
    ejectionLog.forEach(
        (c, times) -> {
          for (long t : times) {
            if (start - t < XdsWorld.BASE_EJECTION.toNanos()) {
              earlier.put(c, t - start);
            }
          }
        });
    int next = 0;
    long end = start + d;
    long now;
    while ((now = System.nanoTime()) < end) {
      while (next < events.size() && now - start >= events.get(next).atNanos()) {
        Event e = events.get(next++);
        if (e.what() != null) {
          log.printf("  +%.1fs %s%n", (now - start) / 1e9, e.what());
        }
        e.action().run();
      }
      if (history.isEmpty() || now - history.get(history.size() - 1).getKey() >= 500_000_000L) {
        history.add(Map.entry(now, meters.snapshot()));
        if (history.size() > 200) {
          history.remove(0);
        }
      }
      pollEjections(ejections, byCluster);
      long until = next < events.size() ? start + events.get(next).atNanos() : end;
      LockSupport.parkNanos(Math.max(0, Math.min(TimeUnit.MILLISECONDS.toNanos(10), until - now)));
    }
    // Anything not yet run (the phase ended first) still runs, so that no fault outlives it.
    while (next < events.size()) {
      events.get(next++).action().run();
    }
    if (ph.kind() == Schedule.Kind.ALL_FAIL) {
      failing(false);
    }
    Map<String, Meters.Counts> after = meters.snapshot();
    return new Result(
        stats,
        d / 1e9,
        Meters.delta(after, before),
        windowBefore,
        ejections,
        byCluster,
        earlier,
        start + faultStart,
        start + faultEnd,
        notes.toString());
  }

  /**
   * Notes the ejections since the last poll in the run's log and, unless null, in this phase's
   * lists.
   */
  private void pollEjections(List<Long> phase, Map<String, List<Long>> phaseByCluster) {
    Map<String, Long> now = meters.ejectionsByCluster();
    long t = System.nanoTime();
    for (Map.Entry<String, Long> e : now.entrySet()) {
      long before = ejectedCounts.getOrDefault(e.getKey(), 0L);
      for (long k = before; k < e.getValue(); k++) {
        ejectionLog.computeIfAbsent(e.getKey(), c -> new ArrayList<>()).add(t);
        if (phase != null) {
          phase.add(t);
          phaseByCluster.computeIfAbsent(e.getKey(), c -> new ArrayList<>()).add(t);
        }
      }
    }
    ejectedCounts = now;
  }

  /** The latest snapshot taken at or before {@code nanos} (none: all zero). */
  private Map<String, Meters.Counts> snapshotAt(long nanos) {
    Map<String, Meters.Counts> best = Map.of();
    for (Map.Entry<Long, Map<String, Meters.Counts>> e : history) {
      if (e.getKey() <= nanos) {
        best = e.getValue();
      }
    }
    return best;
  }

  private void kill(int i) throws Exception {
    grpcProxies.get(i).mode(FaultProxy.Mode.DOWN);
    httpProxies.get(i).mode(FaultProxy.Mode.DOWN);
    grpcBackends.get(i).kill();
    httpBackends.get(i).kill();
  }

  private void restart(int i) throws Exception {
    grpcBackends.get(i).restart();
    httpBackends.get(i).restart();
    grpcProxies.get(i).mode(FaultProxy.Mode.PASS);
    httpProxies.get(i).mode(FaultProxy.Mode.PASS);
  }

  private void proxies(int i, FaultProxy.Mode mode) throws IOException {
    grpcProxies.get(i).mode(mode);
    httpProxies.get(i).mode(mode);
  }

  private void failing(boolean failing) {
    for (Backends.Backend b : grpcBackends) {
      b.failing(failing);
    }
    for (Backends.Backend b : httpBackends) {
      b.failing(failing);
    }
  }

  private void drain() {
    long until = System.nanoTime() + LoadDriver.DEADLINE.toNanos() + TimeUnit.SECONDS.toNanos(1);
    PhaseStats tail =
        new PhaseStats(
            new Schedule.Phase(Schedule.Kind.BASELINE, Duration.ofSeconds(1)), System.nanoTime());
    load.rate(3);
    load.phase(tail);
    while (System.nanoTime() < until && load.inFlight() > 1) {
      sleepNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  private static void sleepNanos(long nanos) {
    long end = System.nanoTime() + nanos;
    long left;
    while ((left = end - System.nanoTime()) > 0) {
      LockSupport.parkNanos(left);
    }
  }

  // ---- the report ------------------------------------------------------------------------------

  /** The p99 every phase's stall recovery is measured against: twice the baseline's plus 10 ms. */
  static double thresholdMillis(double baselineP99Millis) {
    return 2 * baselineP99Millis + 10;
  }

  /**
   * How long after the last ejection during the fault the p99 of the calls intended in every
   * following 1 s window stayed at or under {@code thresholdMillis}; -1 if it never did before the
   * fault ended, NaN without an ejection.
   */
  static double recoverySeconds(Result r, double thresholdMillis) {
    List<Long> during =
        r.ejectionNanos().stream()
            .filter(t -> t >= r.faultStartNanos() && t <= r.faultEndNanos())
            .toList();
    if (during.isEmpty()) {
      return Double.NaN;
    }
    long last = during.get(during.size() - 1);
    PhaseStats s = r.stats();
    int rolling = (int) (TimeUnit.SECONDS.toNanos(1) / PhaseStats.WINDOW_NANOS);
    int lastWindow = (int) ((r.faultEndNanos() - s.startNanos) / PhaseStats.WINDOW_NANOS) - rolling;
    int from = (int) ((last - s.startNanos) / PhaseStats.WINDOW_NANOS);
    long limit = (long) (thresholdMillis * 1e6);
    int recovered = -1;
    for (int w = lastWindow; w >= from; w--) {
      long p99 = rollingP99(s, w, rolling);
      if (p99 > limit) {
        break;
      }
      recovered = w;
    }
    if (recovered < 0) {
      return -1;
    }
    long at = s.startNanos + recovered * PhaseStats.WINDOW_NANOS;
    return Math.max(0, at - last) / 1e9;
  }

  /** The stall target's verdict: each path's p99 after ejection, and why it is met or not. */
  record StallVerdict(boolean met, String perPath, String why) {}

  /**
   * Judges the stall: every path's p99 over the calls intended from 2 s after the last ejection
   * during the stall to the stall's end (failures at the time they failed) must be at or under
   * {@code thresholdMillis}.
   */
  static StallVerdict stallVerdict(Result r, double thresholdMillis) {
    List<Long> during =
        r.ejectionNanos().stream()
            .filter(t -> t >= r.faultStartNanos() && t <= r.faultEndNanos())
            .toList();
    if (during.isEmpty()) {
      return new StallVerdict(false, "-", "no ejection during the stall");
    }
    long from = during.get(during.size() - 1) + TimeUnit.SECONDS.toNanos(2);
    if (r.faultEndNanos() - from < TimeUnit.SECONDS.toNanos(1)) {
      return new StallVerdict(
          false,
          "-",
          String.format(
              Locale.ROOT,
              "the last ejection came %.1f s after the stall began, too late to leave 1 s to judge",
              (during.get(during.size() - 1) - r.faultStartNanos()) / 1e9));
    }
    StringBuilder perPath = new StringBuilder();
    boolean met = true;
    for (int p = 0; p < PhaseStats.PATHS.size(); p++) {
      org.HdrHistogram.Histogram h = r.stats().pathBetween(p, from, r.faultEndNanos());
      double p99 = h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(99) / 1e6;
      met &= !Double.isNaN(p99) && p99 <= thresholdMillis;
      perPath.append(perPath.length() == 0 ? "" : ", ");
      perPath.append(
          String.format(
              Locale.ROOT,
              "%s %.1f ms (%d calls)",
              PhaseStats.PATHS.get(p),
              p99,
              h.getTotalCount()));
    }
    return new StallVerdict(met, perPath.toString(), "p99 after ejection: " + perPath);
  }

  /** Each cluster's ejections in a phase, in seconds after the fault began. */
  private static String ejectionTimes(Result r) {
    StringBuilder b = new StringBuilder();
    r.ejectionsByCluster()
        .forEach(
            (c, times) -> {
              b.append(b.length() == 0 ? "" : ", ").append(c).append(" at");
              for (long t : times) {
                b.append(String.format(Locale.ROOT, " %+.2f s", (t - r.faultStartNanos()) / 1e9));
              }
            });
    return b.length() == 0 ? "none" : b.toString();
  }

  private static String secondsOf(Map<String, Long> relative) {
    StringBuilder b = new StringBuilder();
    relative.forEach(
        (c, t) ->
            b.append(b.length() == 0 ? "" : ", ")
                .append(String.format(Locale.ROOT, "%s at %.1f s", c, t / 1e9)));
    return b.toString();
  }

  private static long rollingP99(PhaseStats s, int from, int n) {
    org.HdrHistogram.Histogram h = new org.HdrHistogram.Histogram(TimeUnit.SECONDS.toNanos(60), 2);
    for (int i = from; i < from + n && i < s.windowCount(); i++) {
      h.add(s.window(i));
    }
    return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99);
  }

  private void report(List<Result> results) {
    // The best baseline: the strictest threshold for the stall's recovery.
    double baselineP99 =
        results.stream()
            .filter(r -> r.stats().phase.kind() == Schedule.Kind.BASELINE)
            .mapToDouble(r -> r.stats().percentileMillis(99))
            .filter(p -> !Double.isNaN(p))
            .min()
            .orElse(20.0);
    double threshold = thresholdMillis(baselineP99);
    out.println();
    out.printf(
        Locale.ROOT,
        "Weft chaos run %s, %d calls/s (gRPC unary, gRPC server-streaming, HTTP GET in turn),"
            + " %d backends per protocol, %d cores%n%n",
        Instant.now(),
        rate,
        BACKENDS,
        Runtime.getRuntime().availableProcessors());
    out.println(
        "| phase | s | calls | failed | failed by reason | retries | hedges | p50 ms | p99 ms |"
            + " p99.9 ms | retries+hedges / budget, windowed (strict) | budget held | notes |");
    out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    List<String> targets = new ArrayList<>();
    boolean allMet = true;
    for (Result r : results) {
      PhaseStats s = r.stats();
      Meters.Counts t = r.total();
      long calls = s.calls.get();
      String notes = r.notes();
      Schedule.Kind kind = s.phase.kind();
      if (kind == Schedule.Kind.STALL) {
        double rec = recoverySeconds(r, threshold);
        StallVerdict v = stallVerdict(r, threshold);
        notes =
            String.format(
                    Locale.ROOT,
                    "%d ejections during the stall (%s)%s; p99 after ejection (calls intended from"
                        + " 2 s after the last ejection to the stall's end): %s; rolling-1s p99 <="
                        + " %.1f ms %s",
                    r.ejectionNanos().stream()
                        .filter(x -> x >= r.faultStartNanos() && x <= r.faultEndNanos())
                        .count(),
                    ejectionTimes(r),
                    r.earlierEjections().isEmpty()
                        ? ""
                        : "; ejected before the phase, within the base ejection time: "
                            + secondsOf(r.earlierEjections()),
                    v.perPath(),
                    threshold,
                    Double.isNaN(rec)
                        ? "(no ejection)"
                        : rec < 0
                            ? "never reached before the stall ended"
                            : String.format(
                                Locale.ROOT, "from %.2f s after the last ejection", rec))
                + (notes.isEmpty() ? "" : "; " + notes);
        // A threshold from an unhealthy baseline (an overloaded machine) would call anything a
        // recovery.
        boolean measurable = baselineP99 <= 250;
        boolean met = measurable && v.met();
        allMet &= met;
        targets.add(
            String.format(
                Locale.ROOT,
                "%s: p99 recovers within 2 s of ejection (every path's p99 after ejection <= %.1f"
                    + " ms): %s (%s)",
                s.phase,
                threshold,
                met ? "MET" : "MISSED",
                !measurable
                    ? String.format(
                        Locale.ROOT,
                        "not measurable: the best baseline p99 was %.0f ms, over 250 ms",
                        baselineP99)
                    : v.why()));
      }
      if (kind == Schedule.Kind.KILL
          || kind == Schedule.Kind.RESET
          || kind == Schedule.Kind.OUTAGE
          || kind == Schedule.Kind.CHURN
          || kind == Schedule.Kind.ROTATION) {
        boolean met = s.failed.get() == 0;
        allMet &= met;
        targets.add(
            String.format(
                Locale.ROOT,
                "%s: 0 failed calls: %s (%d of %d failed)",
                s.phase,
                met ? "MET" : "MISSED",
                s.failed.get(),
                calls));
      }
      allMet &= r.budgetHeld();
      if (!r.budgetHeld() || kind == Schedule.Kind.ALL_FAIL) {
        targets.add(
            String.format(
                Locale.ROOT,
                "%s: retries within the budget (20%% + 10/s, each cluster): %s (worst cluster"
                    + " used %.0f%% of it counting the calls of the budget's 10 s window before the"
                    + " phase, %.0f%% of 20%% of the phase's calls + 10/s)",
                s.phase,
                r.budgetHeld() ? "MET" : "MISSED",
                100 * r.budgetUse(true),
                100 * r.budgetUse(false)));
      }
      out.printf(
          Locale.ROOT,
          "| %s | %.0f | %d | %d | %s | %s | %s | %.1f | %.1f | %.1f | %.0f%% (%.0f%%) | %s | %s"
              + " |%n",
          s.phase.kind().label,
          r.seconds(),
          calls,
          s.failed.get(),
          s.reasons().isEmpty() ? "" : s.reasons().toString().replace("|", "/"),
          share(t.retries(), calls),
          share(t.hedges(), calls),
          s.percentileMillis(50),
          s.percentileMillis(99),
          s.percentileMillis(99.9),
          100 * r.budgetUse(true),
          100 * r.budgetUse(false),
          r.budgetHeld() ? "yes" : "NO",
          notes.isEmpty() ? "" : notes.replace("|", "/"));
    }
    out.println();
    out.printf(
        Locale.ROOT,
        "Latencies are of successful calls, from the intended send time. Retries and hedges are the"
            + " mesh's own counters (weft.client.retries, weft.client.hedges) over the phase, as a"
            + " share of the calls intended in it; the budget is checked per cluster, windowed:"
            + " 20%% of the calls of the phase and of the 10.5 s before it (the budget's window)"
            + " plus a reserve of 100 for each 10 s of the phase begun (the bound"
            + " RetryBudgetTracker documents); strict: 20%% of the phase's calls plus 10/s. Best"
            + " baseline p99 %.1f ms.%n%n",
        baselineP99);
    out.println("Targets:");
    for (String t : targets) {
      out.println("- " + t);
    }
    out.println(allMet ? "All targets met." : "Some targets missed (above).");
    for (Result r : results) {
      if (!r.stats().samples().isEmpty()) {
        log.printf("%s failure samples: %s%n", r.stats().phase, r.stats().samples());
      }
    }
  }

  private static String share(long n, long calls) {
    return calls == 0
        ? "-"
        : String.format(Locale.ROOT, "%d (%.1f%%)", n, 100.0 * n / Math.max(1, calls));
  }

  // ---- soak ------------------------------------------------------------------------------------

  /** One soak sample. */
  record Sample(
      double seconds,
      double heapMiB,
      int threads,
      long fds,
      long sockets,
      int meshChannels,
      int proxiedConnections) {}

  private void soak(Schedule cycle, Duration duration) throws Exception {
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    List<Sample> samples = new CopyOnWriteArrayList<>();
    Thread sampler =
        new Thread(
            () -> {
              long nextAt = start;
              while (System.nanoTime() < end + TimeUnit.SECONDS.toNanos(1)) {
                samples.add(sample((System.nanoTime() - start) / 1e9));
                Sample last = samples.get(samples.size() - 1);
                log.printf(Locale.ROOT, "  sample %s%n", last);
                nextAt += TimeUnit.SECONDS.toNanos(10);
                long wait = nextAt - System.nanoTime();
                if (wait > 0) {
                  LockSupport.parkNanos(wait);
                }
              }
            },
            "chaos-soak-sampler");
    sampler.setDaemon(true);
    sampler.start();
    Map<Schedule.Kind, long[]> byKind = new LinkedHashMap<>(); // calls, failed, repeats, held
    int cycles = 0;
    outer:
    while (true) {
      for (Schedule.Phase p : cycle.phases()) {
        if (System.nanoTime() + p.duration().toNanos() > end) {
          break outer;
        }
        Result r = phase(p);
        long[] acc = byKind.computeIfAbsent(p.kind(), k -> new long[4]);
        acc[0] += r.stats().calls.get();
        acc[1] += r.stats().failed.get();
        acc[2] += r.total().retries() + r.total().hedges();
        acc[3] += r.budgetHeld() ? 0 : 1;
      }
      cycles++;
    }
    drain();
    sampler.join(TimeUnit.SECONDS.toMillis(20));
    out.println();
    out.printf(
        Locale.ROOT,
        "Weft chaos soak %s: %s, %d cycles of %s at %d calls/s, %d cores%n%n",
        Instant.now(),
        duration,
        cycles,
        cycle.phases(),
        rate,
        Runtime.getRuntime().availableProcessors());
    out.println("| phase kind | calls | failed | retries+hedges | phases over budget |");
    out.println("|---|---|---|---|---|");
    byKind.forEach(
        (k, v) -> out.printf("| %s | %d | %d | %d | %d |%n", k.label, v[0], v[1], v[2], v[3]));
    out.println();
    out.println(
        "| t s | heap after GC MiB | live threads | open fds | socket fds | mesh gRPC channels |"
            + " proxied connections |");
    out.println("|---|---|---|---|---|---|---|");
    for (Sample s : samples) {
      out.printf(
          Locale.ROOT,
          "| %.0f | %.1f | %d | %d | %d | %d | %d |%n",
          s.seconds(),
          s.heapMiB(),
          s.threads(),
          s.fds(),
          s.sockets(),
          s.meshChannels(),
          s.proxiedConnections());
    }
    out.println();
    out.println("Live threads by name (digits dropped) at the end: " + threadNames());
    List<Sample> steady = samples.stream().filter(s -> s.seconds() >= 60).toList();
    if (steady.size() < 2) {
      out.println("Too few samples after the first minute for a slope.");
      return;
    }
    out.println();
    out.println("Slopes per minute, least squares over the samples after the first minute:");
    slope("heap after GC MiB", steady, Sample::heapMiB);
    slope("live threads", steady, s -> s.threads());
    slope("open fds", steady, s -> s.fds());
    slope("socket fds", steady, s -> s.sockets());
    slope("mesh gRPC channels", steady, s -> s.meshChannels());
    slope("proxied connections", steady, s -> s.proxiedConnections());
  }

  private void slope(
      String name, List<Sample> samples, java.util.function.ToDoubleFunction<Sample> f) {
    double[] t = new double[samples.size()];
    double[] v = new double[samples.size()];
    double min = Double.MAX_VALUE;
    double max = -Double.MAX_VALUE;
    for (int i = 0; i < t.length; i++) {
      t[i] = samples.get(i).seconds();
      v[i] = f.applyAsDouble(samples.get(i));
      min = Math.min(min, v[i]);
      max = Math.max(max, v[i]);
    }
    out.printf(
        Locale.ROOT,
        "- %s: %+.3f per minute (range %.1f .. %.1f)%n",
        name,
        Slope.perMinute(t, v),
        min,
        max);
  }

  /** Live threads counted by name with digits dropped, most first: what grew, if anything. */
  static Map<String, Integer> threadNames() {
    Map<String, Integer> counts = new java.util.HashMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      counts.merge(t.getName().replaceAll("[0-9]+", "#"), 1, Integer::sum);
    }
    Map<String, Integer> sorted = new LinkedHashMap<>();
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .limit(12)
        .forEach(e -> sorted.put(e.getKey(), e.getValue()));
    return sorted;
  }

  private Sample sample(double seconds) {
    System.gc();
    System.gc();
    double heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
    int threads = ManagementFactory.getThreadMXBean().getThreadCount();
    long fds = 0;
    long sockets = 0;
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      for (Path p : (Iterable<Path>) s::iterator) {
        fds++;
        try {
          if (Files.readSymbolicLink(p).toString().startsWith("socket:")) {
            sockets++;
          }
        } catch (IOException e) {
          // closed while listing
        }
      }
    } catch (IOException e) {
      fds = -1;
    }
    int proxied = 0;
    for (FaultProxy p : grpcProxies) {
      proxied += p.connections();
    }
    for (FaultProxy p : httpProxies) {
      proxied += p.connections();
    }
    return new Sample(seconds, heap, threads, fds, sockets, grpc.openConnections(), proxied);
  }

  @Override
  public void close() throws Exception {
    load.close();
    http.close();
    grpc.close();
    mesh.close();
    controlPlane.close();
    for (FaultProxy p : grpcProxies) {
      p.close();
    }
    for (FaultProxy p : httpProxies) {
      p.close();
    }
    for (Backends.Backend b : grpcBackends) {
      b.close();
    }
    for (Backends.Backend b : httpBackends) {
      b.close();
    }
    certs.close();
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
