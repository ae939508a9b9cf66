package dev.weft.mesh.kubernetes;

import dev.weft.mesh.http.MeshHttpClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A steady stream of GET calls through the mesh client, counting what succeeded and failed. */
final class Load implements AutoCloseable {
  final AtomicInteger succeeded = new AtomicInteger();
  final AtomicInteger inFlight = new AtomicInteger();

  /** Calls started so far: the test's clock, in units of 1/rate seconds of load. */
  final AtomicInteger issued = new AtomicInteger();

  final List<String> failures = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

  Load(MeshHttpClient client, String url, int perSecond) {
    long periodMicros = 1_000_000L / perSecond;
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build();
    timer.scheduleAtFixedRate(
        () -> {
          inFlight.incrementAndGet();
          issued.incrementAndGet();
          client
              .sendAsync(request, HttpResponse.BodyHandlers.ofString())
              .whenComplete(
                  (r, e) -> {
                    inFlight.decrementAndGet();
                    if (e != null) {
                      failures.add(e.toString());
                    } else if (r.statusCode() != 200) {
                      failures.add("status " + r.statusCode() + ": " + r.body());
                    } else {
                      succeeded.incrementAndGet();
                    }
                  });
        },
        0,
        periodMicros,
        TimeUnit.MICROSECONDS);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
  }
}
