package dev.weft.mesh.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.testing.xds.Resources;
import dev.weft.mesh.testing.xds.TestControlPlane;
import dev.weft.mesh.xds.bootstrap.Bootstrap;
import dev.weft.mesh.xds.bootstrap.BootstrapLoader;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.netty.channel.epoll.Epoll;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Istio's bootstrap names the server as {@code unix:///etc/istio/proxy/XDS}: the client speaks ADS
 * over a Unix socket.
 */
class XdsUnixSocketTest {
  static final String LISTENER = "reviews.default.svc.cluster.local:9080";
  static final String V2 = "outbound|9080|v2|reviews.default.svc.cluster.local";

  @Test
  void anIstioBootstrapWithAUnixSocketServerUriConnects(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(Epoll.isAvailable(), "epoll (Linux) is needed for Unix domain sockets");
    Path socket = dir.resolve("XDS");
    String json =
        Files.readString(Path.of(getClass().getResource("/xds/istio-grpc-bootstrap.json").toURI()))
            .replace("unix:///etc/istio/proxy/XDS", "unix://" + socket);
    Bootstrap bootstrap = BootstrapLoader.parse(json, "istio-bootstrap");
    try (TestControlPlane cp = new TestControlPlane().startOnUnixSocket(socket)) {
      cp.set(
          Snapshot.create(
              List.of(Resources.edsCluster(V2)),
              List.of(Resources.endpoints(V2, "v2", 9080)),
              List.of(Resources.rdsListener(LISTENER, "9080")),
              List.of(Resources.weighted("9080", LISTENER, V2, 1, V2, 0)),
              List.of(),
              "1"));
      XdsConfigSource source =
          XdsConfigSource.builder(bootstrap).targets("xds:///" + LISTENER).build();
      try (Mesh mesh = Mesh.builder().configSource(source).build()) {
        await().atMost(Duration.ofSeconds(10)).until(mesh::ready);
        assertThat(mesh.decide(TestCall.to("reviews")).cluster()).isEqualTo(V2);
        assertThat(source.xdsStatus().client().server()).isEqualTo("unix://" + socket);
      }
    }
  }
}
