package dev.weft.mesh.grpc;

import static dev.weft.mesh.grpc.Backend.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.OutlierDetection;
import dev.weft.mesh.api.config.RetryOn;
import dev.weft.mesh.api.config.RetryPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * An endpoint nobody listens on fails as a connect failure, which a retry policy can name on its
 * own.
 */
class ConnectFailureTest extends MeshGrpcTestSupport {

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void connectFailuresAreRetriedOnAnotherEndpoint() throws Exception {
    Backend a = echo("a");
    RetryPolicy retry =
        RetryPolicy.builder()
            .maxAttempts(2)
            .retryOn(RetryOn.CONNECT_FAILURE)
            .initialBackoff(Duration.ofMillis(1))
            .maxBackoff(Duration.ofMillis(2))
            .build();
    Cluster c =
        Cluster.builder("c")
            .endpoints(Endpoint.of("127.0.0.1", closedPort()), a.endpoint())
            .outlierDetection(OutlierDetection.DISABLED)
            .connectTimeout(Duration.ofSeconds(1))
            .build();
    start(config("v1", route(Destination.of("c")).retry(retry).build(), c));
    for (int i = 0; i < 20; i++) {
      assertThat(blocking().unaryRpc(request("x")).getResponseMessage()).isEqualTo("a:x");
    }
    assertThat(a.calls.get()).isEqualTo(20);
  }
}
