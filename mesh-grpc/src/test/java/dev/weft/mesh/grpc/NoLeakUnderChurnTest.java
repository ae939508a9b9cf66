package dev.weft.mesh.grpc;

import static dev.weft.mesh.grpc.Backend.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.RetryOn;
import dev.weft.mesh.api.config.RetryPolicy;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The short form of the soak: calls keep flowing while the configuration changes fifty times and
 * twenty endpoints are replaced, and afterwards nothing has grown: threads, endpoint connections
 * and file descriptors are back where they were.
 */
class NoLeakUnderChurnTest extends MeshGrpcTestSupport {
  private static final int CHANGES = 50;
  private static final int CALLS_PER_CHANGE = 60;

  private static MeshConfig config(int version, Deque<Backend> live) {
    List<Endpoint> endpoints = new ArrayList<>();
    int i = 0;
    for (Backend b : live) {
      // weights alternate between versions, so every change re-balances
      int weight = (version + i++) % 2 == 0 ? 1 : 3;
      endpoints.add(Endpoint.builder("127.0.0.1", b.port()).weight(weight).build());
    }
    RetryPolicy retry =
        RetryPolicy.builder()
            .maxAttempts(3)
            .retryOn(RetryOn.UNAVAILABLE, RetryOn.CANCELLED, RetryOn.RESET, RetryOn.CONNECT_FAILURE)
            .build();
    return config(
        "v" + version,
        route(Destination.of("c")).retry(retry).build(),
        Cluster.builder("c").endpoints(endpoints).build());
  }

  private static long openFileDescriptors() {
    return ((UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getOpenFileDescriptorCount();
  }

  @Test
  void callsAcrossFiftyChangesAndTwentyReplacementsLeaveNoThreadConnectionOrDescriptorBehind()
      throws Exception {
    Deque<Backend> live = new ArrayDeque<>(List.of(echo("b0"), echo("b1"), echo("b2")));
    start(config(0, live));
    for (int i = 0; i < 30; i++) {
      blocking().unaryRpc(request("warm"));
    }
    int threadsBefore = Thread.activeCount();
    long descriptorsBefore = openFileDescriptors();

    int ok = 0;
    int replaced = 0;
    for (int change = 1; change <= CHANGES; change++) {
      Backend retired = null;
      if (change % 2 == 0 && replaced < 20) {
        live.addLast(echo("b" + (3 + replaced)));
        retired = live.removeFirst();
        replaced++;
      }
      source.update(config(change, live));
      if (retired != null) {
        retired.close(); // the mesh no longer routes to it; calls still in flight were retried
      }
      for (int i = 0; i < CALLS_PER_CHANGE; i++) {
        if (blocking()
            .unaryRpc(request("c" + change))
            .getResponseMessage()
            .endsWith(":c" + change)) {
          ok++;
        }
      }
    }
    assertThat(ok).isEqualTo(CHANGES * CALLS_PER_CHANGE);
    assertThat(replaced).isEqualTo(20);

    // removed endpoints' connections close; what is left is one per live endpoint at most
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(grpc.openConnections()).isLessThanOrEqualTo(live.size()));
    await()
        .atMost(Duration.ofSeconds(40))
        .untilAsserted(
            () -> {
              assertThat(Thread.activeCount()).as("threads").isLessThanOrEqualTo(threadsBefore + 4);
              assertThat(openFileDescriptors())
                  .as("file descriptors")
                  .isLessThanOrEqualTo(descriptorsBefore + 8);
            });
  }
}
