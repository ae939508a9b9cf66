package dev.weft.mesh.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.awaitility.Awaitility.await;

import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.config.file.FileConfigSource;
import dev.weft.mesh.core.DnsResolvingConfigSource;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.http.MeshHttpClient;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host name in the YAML file that resolves to three loopback addresses (a headless Service's
 * pods) becomes three endpoints; a failed re-resolution keeps them.
 */
class DnsDiscoveryTest {
  @TempDir Path dir;
  private final List<Backend> backends = new ArrayList<>();
  private DnsResolvingConfigSource source;
  private Mesh mesh;
  private MeshHttpClient client;

  @AfterEach
  void tearDown() {
    if (client != null) {
      client.close();
    }
    if (mesh != null) {
      mesh.close();
    }
    if (source != null) {
      source.close();
    }
    backends.forEach(Backend::close);
  }

  @Test
  void threeAddressesShareTheCallsAndAFailedResolutionKeepsThem() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      port = s.getLocalPort();
    }
    for (int i = 1; i <= 3; i++) {
      backends.add(new Backend("pod-" + i, "127.0.0." + i, port));
    }
    Path yaml = dir.resolve("mesh.yaml");
    Files.writeString(
        yaml,
        """
        clusters:
          reviews:
            endpoints:
              - address: reviews.default.svc.cluster.local:%d
                labels: {app: reviews}
        """
            .formatted(port));
    AtomicBoolean dnsDown = new AtomicBoolean();
    AtomicInteger lookups = new AtomicInteger();
    DnsResolvingConfigSource.HostResolver resolver =
        host -> {
          lookups.incrementAndGet();
          if (dnsDown.get() || !host.equals("reviews.default.svc.cluster.local")) {
            throw new UnknownHostException(host + ": SERVFAIL");
          }
          return List.of(
              InetAddress.getByName("127.0.0.3"),
              InetAddress.getByName("127.0.0.1"),
              InetAddress.getByName("127.0.0.2"));
        };
    source =
        DnsResolvingConfigSource.builder(FileConfigSource.builder(yaml).build())
            .resolver(resolver)
            .refreshInterval(Duration.ofMillis(100))
            .build();
    mesh = Mesh.builder().configSource(source).build();
    client = MeshHttpClient.builder(mesh).build();
    assertThat(mesh.awaitReady(Duration.ofSeconds(20))).isTrue();
    assertThat(mesh.config().cluster("reviews").orElseThrow().endpoints())
        .extracting(Endpoint::address)
        .containsExactly("127.0.0.1:" + port, "127.0.0.2:" + port, "127.0.0.3:" + port);
    assertThat(mesh.config().cluster("reviews").orElseThrow().endpoints())
        .allSatisfy(e -> assertThat(e.labels()).isEqualTo(Map.of("app", "reviews")));

    send(3000);
    for (Backend b : backends) {
      assertThat(b.calls.get() / 3000.0).as("share of %s", b.name).isCloseTo(1 / 3.0, offset(0.05));
    }

    dnsDown.set(true);
    int before = lookups.get();
    await().atMost(Duration.ofSeconds(20)).until(() -> lookups.get() > before + 2);
    assertThat(mesh.config().cluster("reviews").orElseThrow().endpoints()).hasSize(3);
    assertThat(source.status().get("failing").toString()).contains("SERVFAIL");
    int[] counts = backends.stream().mapToInt(b -> b.calls.get()).toArray();
    send(300);
    for (int i = 0; i < 3; i++) {
      assertThat(backends.get(i).calls.get()).as("calls to pod-%d", i + 1).isGreaterThan(counts[i]);
    }
  }

  private void send(int n) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://reviews/r")).build();
    for (int i = 0; i < n; i++) {
      assertThat(client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode())
          .isEqualTo(200);
    }
  }
}
