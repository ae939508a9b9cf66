package dev.weft.samples.bookinfo;

import dev.weft.mesh.api.spi.ConfigSource;
import dev.weft.mesh.config.file.FileConfigSource;
import dev.weft.mesh.xds.XdsConfigSource;
import dev.weft.mesh.xds.bootstrap.Bootstrap;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs Istio's BookInfo application on Weft in one JVM, sends it traffic and prints what the mesh
 * did, then keeps productpage up for a browser.
 *
 * <pre>
 * BookInfo [--scenario NAME] [--config FILE] [--base-port 9080] [--requests 1000] [--duration 0|30s|5m]
 *          [--source file|xds] [--xds-server 127.0.0.1:18000]
 * BookInfo scenario NAME [--config FILE] [--base-port 9080]    switch the running application
 * BookInfo scenarios                                              list the scenarios
 * </pre>
 *
 * <p>The application reads its mesh configuration from {@code --config} (by default {@code
 * <tmp>/weft-bookinfo/mesh.yaml}) and watches it; the {@code scenario} command writes a scenario
 * over that file, and the running application picks it up within about a second. With {@code
 * --source xds} the mesh reads its configuration from an xDS control plane instead, such as {@code
 * samples/control-plane} serving that same file.
 *
 * <p>Each service also listens with mutual TLS, on its port plus {@value
 * Scenarios.Ports#TLS_OFFSET}, with a certificate minted at start (see {@link Identities}); the
 * {@code strict-mtls} scenario moves every call there and applies authorization policies.
 */
public final class BookInfo {
  private static final java.util.Set<String> SHOWN_ATTRIBUTES =
      java.util.Set.of(
          "weft.service",
          "weft.route",
          "server.address",
          "server.port",
          "url.path",
          "weft.outcome",
          "weft.attempt");

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    switch (options.command) {
      case "scenarios" -> Scenarios.NAMES.forEach(System.out::println);
      case "scenario" -> {
        Scenarios.write(options.scenario, Scenarios.Ports.from(options.basePort), options.config);
        System.out.printf(
            "Scenario '%s' written to %s; a running BookInfo applies it within a second.%n",
            options.scenario, options.config);
      }
      default -> run(options);
    }
  }

  private static void run(Options options) throws Exception {
    Scenarios.Ports ports = Scenarios.Ports.from(options.basePort);
    Scenarios.write(options.scenario, ports, options.config);
    MeterRegistry registry = new SimpleMeterRegistry();
    ConfigSource source =
        options.source.equals("xds")
            ? xdsSource(options.xdsServer)
            : FileConfigSource.builder(options.config).build();
    try (BookInfoApp app = new BookInfoApp(ports, source, registry, Duration.ZERO)) {
      System.out.printf(
          "BookInfo on Weft: productpage http://127.0.0.1:%d/productpage, details :%d, reviews v1/v2/v3 :%d/:%d/:%d, ratings (gRPC) :%d%n",
          ports.productpage(),
          ports.details(),
          ports.reviewsV1(),
          ports.reviewsV2(),
          ports.reviewsV3(),
          ports.ratings());
      System.out.printf(
          "mutual TLS on :%d, :%d, :%d/:%d/:%d, :%d with certificates for spiffe://%s/ns/default/sa/{productpage,details,reviews,ratings} in %s%n",
          ports.productpageTls(),
          ports.detailsTls(),
          ports.reviewsV1Tls(),
          ports.reviewsV2Tls(),
          ports.reviewsV3Tls(),
          ports.ratingsTls(),
          Identities.TRUST_DOMAIN,
          app.identities.dir());
      if (options.source.equals("xds")) {
        awaitReady(app);
      }
      // the weft.audit logger has them too, but Maven's -q hides its WARN lines in the demo
      app.audit.onDenial(
          d -> System.out.printf("%s denied: %s%n", d.service(), d.event().toLogLine()));
      System.out.printf(
          "mesh configuration: %s (scenario '%s', version %s)%n%n",
          app.mesh.configSourceDescription(), options.scenario, app.mesh.configVersion());
      if (options.scenario.equals("reviews-canary")) {
        CanaryDemo.run(app, ports, options.config);
        waitFor(options.duration, ports);
        return;
      }
      report(app, Traffic.send(app.http, options.requests, null), "signed out");
      report(app, Traffic.send(app.http, Math.max(1, options.requests / 10), "jason"), "as jason");
      double retries =
          registry.find("weft.client.retries").counters().stream()
              .mapToDouble(Counter::count)
              .sum();
      System.out.printf("The mesh retried %.0f attempts in all.%n", retries);
      reportSecurity(app);
      Traffic.Tally last = Traffic.send(app.http, 1, null);
      if (last.lastTraceId() != null) {
        printTrace(app, last.lastTraceId());
      }
      String extra =
          (options.basePort == 9080 ? "" : " --base-port " + options.basePort)
              + (options.config.equals(Options.DEFAULT_CONFIG)
                  ? ""
                  : " --config " + options.config);
      System.out.printf(
          "%nSwitch the running application to another scenario (%s) with:%n"
              + "  ./mvnw -q -DskipTests -Pdemo -pl samples/bookinfo -am verify -Dbookinfo.args=\"scenario v1-v3-50-50%s\"%n",
          String.join(", ", Scenarios.NAMES), extra);
      waitFor(options.duration, ports);
    }
  }

  /**
   * The mesh configured from an xDS control plane (such as {@code samples/control-plane}, which
   * serves the file this command writes), watching one listener per BookInfo service.
   */
  static ConfigSource xdsSource(String server) {
    return XdsConfigSource.builder(Bootstrap.forServer(server, "bookinfo"))
        .targets("productpage", "details", "reviews", "ratings")
        .build();
  }

  private static void report(BookInfoApp app, Traffic.Tally tally, String who) {
    System.out.printf("%d calls to productpage %s:%n", tally.calls(), who);
    tally
        .reviewsVersions()
        .forEach(
            (version, n) ->
                System.out.printf(
                    "  reviews %-3s %5d  (%.1f%%)%s%n",
                    version, n, tally.share(version), stars(version)));
    if (tally.reviewsUnavailable() > 0) {
      System.out.printf("  reviews unavailable %d%n", tally.reviewsUnavailable());
    }
    if (tally.ratingsUnavailable() > 0) {
      System.out.printf("  ratings unavailable %d%n", tally.ratingsUnavailable());
    }
    if (tally.detailsUnavailable() > 0) {
      System.out.printf("  details unavailable %d%n", tally.detailsUnavailable());
    }
    System.out.printf(
        "  failed %d, latency p50 %.2f ms, p99 %.2f ms%n%n",
        tally.failed(), tally.percentileMillis(50), tally.percentileMillis(99));
  }

  /**
   * Who called whom with which identity, and what authorization denied, when any of it happened.
   */
  private static void reportSecurity(BookInfoApp app) {
    Map<String, Map<String, Long>> callers = new LinkedHashMap<>();
    callers.put("productpage", app.productPage.callers());
    callers.put("details", app.details.callers());
    Map<String, Long> reviews = new java.util.TreeMap<>();
    app.reviews.forEach(
        r -> r.callers().forEach((caller, n) -> reviews.merge(caller, n, Long::sum)));
    callers.put("reviews", reviews);
    callers.put("ratings", app.ratings.callers());
    boolean identified =
        callers.values().stream()
            .anyMatch(
                byCaller -> byCaller.keySet().stream().anyMatch(c -> !c.equals(Callers.NONE)));
    if (!identified && app.audit.denied() == 0) {
      return;
    }
    System.out.println("Callers by identity:");
    callers.forEach(
        (service, byCaller) ->
            byCaller.forEach(
                (caller, n) -> System.out.printf("  %-12s %6d from %s%n", service, n, caller)));
    System.out.printf(
        "Authorization: %d allowed, %d denied%n", app.audit.allowed(), app.audit.denied());
  }

  private static String stars(String version) {
    return switch (version) {
      case "v1" -> "  no stars";
      case "v2" -> "  black stars";
      case "v3" -> "  red stars";
      default -> "";
    };
  }

  private static void printTrace(BookInfoApp app, String traceId) {
    List<SpanData> spans = app.traces.trace(traceId);
    System.out.printf("A trace to look at: %s (%d spans)%n", traceId, spans.size());
    long origin = spans.isEmpty() ? 0 : spans.get(0).getStartEpochNanos();
    for (SpanData span : spans) {
      StringBuilder where = new StringBuilder();
      span.getAttributes()
          .forEach(
              (key, value) -> {
                if (SHOWN_ATTRIBUTES.contains(key.getKey())) {
                  where.append(' ').append(key.getKey()).append('=').append(value);
                }
              });
      System.out.printf(
          "  +%6.2f ms %6.2f ms  %-8s %-28s%s%n",
          (span.getStartEpochNanos() - origin) / 1e6,
          (span.getEndEpochNanos() - span.getStartEpochNanos()) / 1e6,
          span.getKind(),
          span.getName(),
          where);
    }
  }

  private static void awaitReady(BookInfoApp app) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!app.mesh.ready()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "no configuration from "
                + app.mesh.configSourceDescription()
                + " in 30 s; is the control plane running? ("
                + app.mesh.lastConfigError()
                + ")");
      }
      Thread.sleep(50);
    }
  }

  private static void waitFor(Duration duration, Scenarios.Ports ports)
      throws InterruptedException {
    if (duration != null && duration.isZero()) {
      return;
    }
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
    if (duration == null) {
      System.out.printf(
          "%nproductpage is up at http://127.0.0.1:%d/productpage (add ?u=jason to sign in); Ctrl-C stops.%n",
          ports.productpage());
      stop.await();
    } else {
      System.out.printf(
          "%nproductpage is up at http://127.0.0.1:%d/productpage for %s.%n",
          ports.productpage(), duration);
      stop.await(duration.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  static final class Options {
    String command = "run";
    String scenario = "default";
    static final Path DEFAULT_CONFIG =
        Path.of(System.getProperty("java.io.tmpdir"), "weft-bookinfo", "mesh.yaml");
    Path config = DEFAULT_CONFIG;
    int basePort = 9080;
    int requests = 1000;
    Duration duration;
    String source = "file";
    String xdsServer = "127.0.0.1:18000";

    static Options parse(String[] args) {
      Options o = new Options();
      List<String> rest = new ArrayList<>();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--scenario" -> o.scenario = value(args, ++i, a);
          case "--config" -> o.config = Path.of(value(args, ++i, a)).toAbsolutePath();
          case "--base-port" -> o.basePort = Integer.parseInt(value(args, ++i, a));
          case "--requests" -> o.requests = Integer.parseInt(value(args, ++i, a));
          case "--duration" -> o.duration = duration(value(args, ++i, a));
          case "--source" -> {
            o.source = value(args, ++i, a);
            if (!o.source.equals("file") && !o.source.equals("xds")) {
              throw new IllegalArgumentException("--source is file or xds, not " + o.source);
            }
          }
          case "--xds-server" -> o.xdsServer = value(args, ++i, a);
          default -> {
            if (a.startsWith("--")) {
              throw new IllegalArgumentException("unknown option " + a);
            }
            rest.add(a);
          }
        }
      }
      if (!rest.isEmpty()) {
        o.command = rest.get(0);
        if (o.command.equals("scenario")) {
          if (rest.size() < 2) {
            throw new IllegalArgumentException("scenario needs a name, one of " + Scenarios.NAMES);
          }
          o.scenario = rest.get(1);
        } else if (!o.command.equals("scenarios") && !o.command.equals("run")) {
          throw new IllegalArgumentException(
              "unknown command " + o.command + "; commands: run, scenario NAME, scenarios");
        }
      }
      if (!Scenarios.NAMES.contains(o.scenario)) {
        throw new IllegalArgumentException(
            "unknown scenario '" + o.scenario + "'; the scenarios are " + Scenarios.NAMES);
      }
      if (o.command.equals("run") && o.source.equals("xds") && o.scenario.equals("strict-mtls")) {
        throw new IllegalArgumentException(
            "--scenario strict-mtls needs --source file: the sample control plane does not"
                + " translate TLS settings or authorization policies into xDS");
      }
      if (o.command.equals("run")
          && o.source.equals("xds")
          && o.scenario.equals("reviews-canary")) {
        throw new IllegalArgumentException(
            "--scenario reviews-canary needs --source file: xDS has no field for a canary guard");
      }
      return o;
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[i];
    }

    /** {@code 0}, {@code 30s}, {@code 5m}, {@code 1h}, or an ISO-8601 duration. */
    static Duration duration(String text) {
      if (text.equals("0")) {
        return Duration.ZERO;
      }
      char unit = text.charAt(text.length() - 1);
      String number = text.substring(0, text.length() - 1);
      return switch (unit) {
        case 's' -> Duration.ofSeconds(Long.parseLong(number));
        case 'm' -> Duration.ofMinutes(Long.parseLong(number));
        case 'h' -> Duration.ofHours(Long.parseLong(number));
        default -> Duration.parse(text);
      };
    }
  }

  private BookInfo() {}
}
