package dev.weft.samples.bookinfo;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.weft.mesh.core.CanaryEvent;
import dev.weft.mesh.core.CanaryStatus;
import dev.weft.mesh.http.MeshHttpClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The canary scenario: reviews v3 rolled out as a canary of v2 with promotion steps while users'
 * traffic runs; v3 is made to fail (errors first, then slowness) once it takes 25% of the calls,
 * and the demo prints how long the guard took to roll it back and how many user requests suffered
 * before it did.
 */
final class CanaryDemo {
  private static final String SCENARIO = "reviews-canary";
  private static final Duration WAIT = Duration.ofSeconds(90);

  static void run(BookInfoApp app, Scenarios.Ports ports, Path config) throws Exception {
    Reviews v3 = app.reviews("v3");
    System.out.printf(
        "Canary rollout of reviews v3 against v2 (scenario '%s'), with users' traffic running;"
            + " the mesh console at %s shows the split, the guard and its rollbacks live:%n",
        SCENARIO, app.consoleUrl());
    try (Load load = Load.start(app.http, 8, 25)) {
      rollout(
          app,
          ports,
          config,
          load,
          "v3 fails one request in five",
          () -> v3.misbehave(5, Duration.ZERO));
      v3.misbehave(0, Duration.ZERO);
      rollout(
          app,
          ports,
          config,
          load,
          "v3 answers 1 s slower",
          () -> v3.misbehave(0, Duration.ofSeconds(1)));
    } finally {
      v3.misbehave(0, Duration.ZERO);
    }
  }

  /** One rollout: apply the scenario anew, promote to 25%, break v3, watch the guard roll back. */
  private static void rollout(
      BookInfoApp app,
      Scenarios.Ports ports,
      Path config,
      Load load,
      String fault,
      Runnable breakIt)
      throws Exception {
    Instant applied = Instant.now();
    Scenarios.write(SCENARIO, ports, config, applied.plusSeconds(1));
    System.out.printf("%nNew rollout, promotion anchored at %s:%n", applied.plusSeconds(1));
    Printer printer = new Printer(applied.minusSeconds(1));
    CanaryStatus s =
        await(app, printer, st -> !st.since().isBefore(applied.minusSeconds(1)), "the new rollout");
    s = await(app, printer, st -> st.step() >= 1, "step 2 (25%)");
    Load.Mark mark = load.mark();
    long t0 = System.nanoTime();
    breakIt.run();
    System.out.printf("  %s now (v3 at %.0f%% of the calls)%n", fault, s.canaryPercent());
    s = await(app, printer, st -> st.state() == CanaryStatus.State.ROLLED_BACK, "the rollback");
    double took = (System.nanoTime() - t0) / 1e9;
    Load.Mark after = load.mark();
    System.out.printf(
        Locale.ROOT,
        "  Rolled back %.1f s after v3 began to misbehave. Meanwhile %d user requests: %d failed"
            + " (reviews unavailable), %d served slowly by v3 (over 150 ms).%n",
        took,
        after.requests() - mark.requests(),
        after.failed() - mark.failed(),
        after.slowV3() - mark.slowV3());
    // After the rollback no request reaches v3.
    Load.Mark settled = load.mark();
    TimeUnit.SECONDS.sleep(2);
    Load.Mark later = load.mark();
    System.out.printf(
        "  In the next 2 s: %d requests, %d to v3, %d failed.%n",
        later.requests() - settled.requests(),
        later.v3() - settled.v3(),
        later.failed() - settled.failed());
  }

  private static CanaryStatus await(
      BookInfoApp app, Printer printer, Predicate<CanaryStatus> until, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      Optional<CanaryStatus> s = app.mesh.canaryGuards().status("reviews", "rollout");
      s.ifPresent(printer::print);
      if (s.isPresent() && until.test(s.get())) {
        return s.get();
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "waited " + WAIT.toSeconds() + " s for " + what + "; the guard: " + s);
      }
      // Polling the read-only view for display, as a console would.
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  /** Prints each guard event once. */
  private static final class Printer {
    private final List<CanaryEvent> printed = new ArrayList<>();
    private final Instant from;

    Printer(Instant from) {
      this.from = from;
    }

    void print(CanaryStatus s) {
      for (CanaryEvent e : s.history()) {
        if (!e.at().isBefore(from) && !printed.contains(e)) {
          printed.add(e);
          System.out.printf(
              Locale.ROOT,
              "  %s %-11s v3 %5.1f%% -> %5.1f%%  %s%n",
              e.at().toString().substring(11, 23),
              e.kind().name().toLowerCase(Locale.ROOT).replace('_', ' '),
              e.canaryPercentBefore(),
              e.canaryPercentAfter(),
              e.reason());
        }
      }
    }
  }

  /** Users' traffic to productpage on a few threads, each at a steady rate. */
  static final class Load implements AutoCloseable {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong v3 = new AtomicLong();
    private final AtomicLong slowV3 = new AtomicLong();

    record Mark(long requests, long failed, long v3, long slowV3) {}

    static Load start(MeshHttpClient http, int threads, int perSecondEach) {
      Load load = new Load();
      for (int i = 0; i < threads; i++) {
        Thread t = new Thread(() -> load.loop(http, perSecondEach), "bookinfo-load-" + i);
        t.setDaemon(true);
        load.threads.add(t);
        t.start();
      }
      return load;
    }

    Mark mark() {
      return new Mark(requests.get(), failed.get(), v3.get(), slowV3.get());
    }

    private void loop(MeshHttpClient http, int perSecond) {
      long period = 1_000_000_000L / perSecond;
      long next = System.nanoTime();
      while (running.get()) {
        long start = System.nanoTime();
        boolean ok = false;
        String version = null;
        try {
          HttpResponse<String> r =
              http.send(
                  HttpRequest.newBuilder(URI.create("http://productpage/api/v1/products/0"))
                      .GET()
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200) {
            Object v = RatingsApi.JSON.readValue(r.body(), MAP).get("reviewsVersion");
            version = v == null ? null : v.toString();
            ok = version != null;
          }
        } catch (Exception e) {
          ok = false;
        }
        long took = System.nanoTime() - start;
        requests.incrementAndGet();
        if (!ok) {
          failed.incrementAndGet();
        }
        if ("reviews-v3".equals(version)) {
          v3.incrementAndGet();
          if (took > 150_000_000L) {
            slowV3.incrementAndGet();
          }
        }
        next = Math.max(next + period, System.nanoTime());
        long wait = next - System.nanoTime();
        if (wait > 0) {
          // Pacing the load generator to its rate.
          java.util.concurrent.locks.LockSupport.parkNanos(wait);
        }
      }
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(TimeUnit.SECONDS.toMillis(5));
      }
    }
  }

  private CanaryDemo() {}
}
