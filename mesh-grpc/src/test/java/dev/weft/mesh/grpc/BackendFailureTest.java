package dev.weft.mesh.grpc;

import static dev.weft.mesh.grpc.Backend.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.OutlierDetection;
import dev.weft.mesh.api.config.RetryOn;
import dev.weft.mesh.api.config.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A backend dies in the middle of a run: retries go elsewhere and outlier detection ejects it. */
class BackendFailureTest extends MeshGrpcTestSupport {

  @Test
  void killingOneOfThreeBackendsFailsNoCallAndEjectsIt() throws Exception {
    Backend a = echo("a");
    Backend b = echo("b");
    Backend c = echo("c");
    RetryPolicy retry =
        RetryPolicy.builder()
            .maxAttempts(3)
            .retryOn(RetryOn.UNAVAILABLE, RetryOn.CONNECT_FAILURE)
            .initialBackoff(Duration.ofMillis(1))
            .maxBackoff(Duration.ofMillis(5))
            .build();
    OutlierDetection outliers =
        OutlierDetection.builder()
            .consecutiveFailures(5)
            .consecutiveGatewayFailures(3)
            .maxEjectionPercent(50)
            .interval(Duration.ofSeconds(1))
            .baseEjectionTime(Duration.ofSeconds(30))
            .build();
    start(
        config(
            "v1",
            route(Destination.of("c")).retry(retry).build(),
            cluster("c", cb -> cb.outlierDetection(outliers), a, b, c)));
    var stub = blocking();

    // Four callers share the run; the backend dies once half of the calls are done.
    int total = 2_000;
    int callers = 4;
    AtomicInteger done = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < callers; t++) {
      Thread thread =
          new Thread(
              () -> {
                for (int i = 0; i < total / callers; i++) {
                  try {
                    stub.unaryRpc(request("x"));
                  } catch (RuntimeException e) {
                    failed.incrementAndGet();
                    if (failures.size() < 5) {
                      failures.add(e.toString());
                    }
                  }
                  done.incrementAndGet();
                }
              });
      thread.start();
      threads.add(thread);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> done.get() >= total / 2);
    a.kill();
    int aAtKill = a.calls.get();
    for (Thread thread : threads) {
      thread.join(30_000);
      assertThat(thread.isAlive()).isFalse();
    }
    assertThat(done.get()).isEqualTo(total);
    assertThat(failed.get()).as("failed calls: %s", failures).isZero();
    assertThat(aAtKill).isGreaterThan(200);
    assertThat(b.calls.get() + c.calls.get() + aAtKill).isGreaterThanOrEqualTo(total);

    String address = a.endpoint().address();
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(mesh.configDump())
                    .containsPattern(
                        "\"address\"\\s*:\\s*\""
                            + java.util.regex.Pattern.quote(address)
                            + "\"[^}]*\"ejected\"\\s*:\\s*true"));
  }
}
