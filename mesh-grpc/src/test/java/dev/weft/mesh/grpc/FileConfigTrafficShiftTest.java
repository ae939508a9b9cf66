package dev.weft.mesh.grpc;

import static dev.weft.mesh.grpc.Backend.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.weft.mesh.config.file.FileConfigSource;
import dev.weft.mesh.core.Mesh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Traffic shifting driven by rewriting the YAML file the mesh reads, as an operator would. */
class FileConfigTrafficShiftTest extends MeshGrpcTestSupport {
  @TempDir Path dir;

  private static String yaml(String version, int a, int b, int c, Backend... backends) {
    return """
        version: "%s"
        services:
          simple:
            routes:
              - name: main
                destinations:
                  - {cluster: a, weight: %d}
                  - {cluster: b, weight: %d}
                  - {cluster: c, weight: %d}
        clusters:
          a:
            endpoints:
              - address: 127.0.0.1:%d
          b:
            endpoints:
              - address: 127.0.0.1:%d
          c:
            endpoints:
              - address: 127.0.0.1:%d
        """
        .formatted(version, a, b, c, backends[0].port(), backends[1].port(), backends[2].port());
  }

  /** Replaces the file in one step (write aside, rename over), as config management tools do. */
  private static void write(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, content);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  @Test
  void rewritingTheFileMovesTrafficWithinASecondWithoutFailedCalls() throws Exception {
    Backend a = echo("a");
    Backend b = echo("b");
    Backend c = echo("c");
    Path file = dir.resolve("mesh.yaml");
    write(file, yaml("v1", 80, 10, 10, a, b, c));
    mesh =
        Mesh.builder()
            .name("test")
            .configSource(
                FileConfigSource.builder(file).pollInterval(Duration.ofMillis(200)).build())
            .build();
    grpc = MeshGrpc.create(mesh);
    var stub = blocking();

    int total = 5_000;
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < total; i++) {
      counts.merge(stub.unaryRpc(request("x")).getResponseMessage().split(":")[0], 1, Integer::sum);
    }
    assertThat(100.0 * counts.getOrDefault("a", 0) / total).isCloseTo(80, within(2.0));
    assertThat(100.0 * counts.getOrDefault("b", 0) / total).isCloseTo(10, within(2.0));
    assertThat(100.0 * counts.getOrDefault("c", 0) / total).isCloseTo(10, within(2.0));

    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger failures = new AtomicInteger();
    AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    AtomicInteger lastCallToA = new AtomicInteger();
    AtomicInteger made = new AtomicInteger();
    Thread load =
        new Thread(
            () -> {
              while (!stop.get() && made.get() < 50_000) {
                try {
                  if (stub.unaryRpc(request("y")).getResponseMessage().startsWith("a:")) {
                    lastCallToA.set(made.get());
                  }
                } catch (RuntimeException e) {
                  failures.incrementAndGet();
                  firstFailure.compareAndSet(null, e);
                }
                made.incrementAndGet();
              }
            });
    load.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> made.get() > 200);

    long written = System.nanoTime();
    write(file, yaml("v2", 0, 50, 50, a, b, c));
    await().atMost(Duration.ofSeconds(1)).until(() -> mesh.configVersion().equals("v2"));
    long appliedMillis = (System.nanoTime() - written) / 1_000_000;
    int aAfterApply = a.calls.get();
    int madeAtApply = made.get();
    await().atMost(Duration.ofSeconds(5)).until(() -> made.get() > madeAtApply + 500);
    stop.set(true);
    load.join();

    assertThat(appliedMillis).as("time from the rewrite to the new weights").isLessThan(1_000);
    assertThat(failures.get())
        .as("failed calls during the switch (first: %s)", firstFailure.get())
        .isZero();
    // At most the calls already routed when the snapshot swapped may still reach a.
    assertThat(a.calls.get() - aAfterApply).isLessThanOrEqualTo(1);
    assertThat(lastCallToA.get()).isLessThanOrEqualTo(madeAtApply + 1);
    assertThat(b.calls.get() + c.calls.get()).isGreaterThan(500);
  }
}
