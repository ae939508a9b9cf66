package dev.weft.mesh.grpc;

import static dev.weft.mesh.grpc.Backend.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.MeshConfig;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Weighted traffic shifting across three backends, and a live switch of the weights. */
class TrafficSplitTest extends MeshGrpcTestSupport {

  private static MeshConfig weights(String version, int a, int b, int c, Backend... backends) {
    return config(
        version,
        route(Destination.of("a", "", a), Destination.of("b", "", b), Destination.of("c", "", c))
            .build(),
        cluster("a", backends[0]),
        cluster("b", backends[1]),
        cluster("c", backends[2]));
  }

  @Test
  void splitsEightyTenTenAndMovesToZeroFiftyFiftyWithoutFailedCalls() throws Exception {
    Backend a = echo("a");
    Backend b = echo("b");
    Backend c = echo("c");
    start(weights("v1", 80, 10, 10, a, b, c));
    var stub = blocking();

    Map<String, Integer> counts = new ConcurrentHashMap<>();
    int total = 5_000;
    for (int i = 0; i < total; i++) {
      String from = stub.unaryRpc(request("x")).getResponseMessage().split(":")[0];
      counts.merge(from, 1, Integer::sum);
    }
    assertThat(100.0 * counts.getOrDefault("a", 0) / total).isCloseTo(80, within(2.0));
    assertThat(100.0 * counts.getOrDefault("b", 0) / total).isCloseTo(10, within(2.0));
    assertThat(100.0 * counts.getOrDefault("c", 0) / total).isCloseTo(10, within(2.0));

    // Calls keep flowing on another thread while the weights change under them.
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger failures = new AtomicInteger();
    AtomicInteger during = new AtomicInteger();
    AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    Thread load =
        new Thread(
            () -> {
              while (!stop.get() && during.get() < 20_000) {
                try {
                  stub.unaryRpc(request("y"));
                } catch (RuntimeException e) {
                  failures.incrementAndGet();
                  firstFailure.compareAndSet(null, e);
                }
                during.incrementAndGet();
              }
            });
    load.start();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .until(() -> during.get() >= 200);
    source.update(weights("v2", 0, 50, 50, a, b, c));
    int seenAtSwitch = during.get();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .until(() -> during.get() >= seenAtSwitch + 200);
    stop.set(true);
    load.join();
    assertThat(failures.get())
        .as("failed calls during the switch (first: %s)", firstFailure.get())
        .isZero();

    int aBefore = a.calls.get();
    Map<String, Integer> after = new ConcurrentHashMap<>();
    for (int i = 0; i < 1_000; i++) {
      after.merge(stub.unaryRpc(request("z")).getResponseMessage().split(":")[0], 1, Integer::sum);
    }
    assertThat(a.calls.get()).as("calls to a after the switch").isEqualTo(aBefore);
    assertThat(after.getOrDefault("a", 0)).isZero();
    assertThat(100.0 * after.getOrDefault("b", 0) / 1_000).isCloseTo(50, within(6.0));
    assertThat(100.0 * after.getOrDefault("c", 0) / 1_000).isCloseTo(50, within(6.0));
  }
}
