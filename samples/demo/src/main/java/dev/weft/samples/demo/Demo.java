package dev.weft.samples.demo;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.TlsSettings;
import dev.weft.mesh.api.spi.ConfigSource;
import dev.weft.mesh.config.file.FileConfigSource;
import dev.weft.mesh.config.file.MeshConfigYaml;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.core.StaticConfigSource;
import dev.weft.mesh.http.MeshHttpClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Loads a mesh configuration, starts a local server for each of its loopback endpoints, sends calls
 * through the mesh and prints what the mesh did: where calls went, what was retried, and how long
 * calls took.
 */
public final class Demo {

  public static void main(String[] args) throws Exception {
    Path file =
        Path.of(args.length > 0 ? args[0] : "docs/examples/mesh.yaml").toAbsolutePath().normalize();
    int calls = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    MeshConfig config = MeshConfigYaml.read(file);
    String flaky = flakyEndpoint(config);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    // The demo's servers speak plaintext; clusters that ask for TLS would need certificates, so the
    // demo serves the same configuration with TLS turned off (the BookInfo sample runs it with
    // mTLS).
    List<String> tlsClusters =
        config.clusters().stream()
            .filter(c -> c.tls().mode() != TlsSettings.Mode.DISABLED)
            .map(Cluster::name)
            .toList();
    ConfigSource source =
        tlsClusters.isEmpty()
            ? FileConfigSource.builder(file).build()
            : new StaticConfigSource(withoutTls(config));
    try (Backends backends = new Backends(config, flaky, 0.2, 7);
        Mesh mesh =
            Mesh.builder().name("demo").configSource(source).meterRegistry(registry).build();
        MeshHttpClient http =
            MeshHttpClient.builder(mesh).defaultTimeout(Duration.ofSeconds(5)).build()) {
      System.out.printf(
          "Weft demo: configuration %s (version %s), %d local servers%n",
          file, mesh.configVersion(), backends.count());
      if (!tlsClusters.isEmpty()) {
        System.out.printf(
            "  clusters %s ask for TLS; the demo's servers are plaintext, so it runs them without%n",
            tlsClusters);
      }
      if (flaky != null) {
        System.out.printf(
            "  %s answers 503 to one call in five, so there is something to retry%n", flaky);
      }
      System.out.println();
      run(http, "reviews", "/reviews/0", Map.of(), calls);
      run(http, "reviews", "/reviews/0", Map.of("end-user", "jason"), Math.max(1, calls / 10));
      run(http, "ratings", "/ratings/0", Map.of(), Math.max(1, calls / 10));
      run(http, "details", "/details/0", Map.of(), Math.max(1, calls / 10));
      run(http, "productpage", "/productpage", Map.of(), Math.max(1, calls / 10));
      double retries =
          registry.find("weft.client.retries").counters().stream()
              .mapToDouble(Counter::count)
              .sum();
      double hedges =
          registry.find("weft.client.hedges").counters().stream().mapToDouble(Counter::count).sum();
      System.out.printf(
          "The mesh retried %.0f attempts and hedged %.0f; the config dump is at mesh.configDump().%n",
          retries, hedges);
    }
  }

  private static void run(
      MeshHttpClient http, String service, String path, Map<String, String> headers, int n)
      throws Exception {
    Map<String, Integer> servedBy = new TreeMap<>();
    Map<Integer, Integer> statuses = new TreeMap<>();
    List<Long> latencies = new ArrayList<>(n);
    int failures = 0;
    for (int i = 0; i < n; i++) {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + service + path)).GET();
      headers.forEach(b::header);
      long start = System.nanoTime();
      try {
        HttpResponse<String> response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        latencies.add(System.nanoTime() - start);
        statuses.merge(response.statusCode(), 1, Integer::sum);
        String who = response.headers().firstValue("x-served-by").orElse("(the mesh itself)");
        servedBy.merge(who.replaceAll(" @ .*", ""), 1, Integer::sum);
      } catch (RuntimeException | java.io.IOException e) {
        failures++;
        servedBy.merge("failed: " + e.getClass().getSimpleName(), 1, Integer::sum);
        if (failures == 1) {
          System.out.printf("  first failure: %s%n", e.getMessage());
        }
      }
    }
    Collections.sort(latencies);
    System.out.printf(
        "%d calls to %s%s%s%n", n, service, path, headers.isEmpty() ? "" : " with " + headers);
    servedBy.forEach(
        (who, count) ->
            System.out.printf("  %-28s %5d  (%.1f%%)%n", who, count, 100.0 * count / n));
    System.out.printf(
        "  statuses %s, failed %d, latency p50 %.2f ms, p99 %.2f ms%n%n",
        statuses, failures, percentile(latencies, 50), percentile(latencies, 99));
  }

  private static MeshConfig withoutTls(MeshConfig config) {
    MeshConfig.Builder b = MeshConfig.builder().version(config.version());
    config.services().forEach(b::service);
    for (Cluster c : config.clusters()) {
      b.cluster(c.toBuilder().tls(TlsSettings.DISABLED).build());
    }
    return b.build();
  }

  private static double percentile(List<Long> sorted, double p) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1))) / 1e6;
  }

  /**
   * The first endpoint of a cluster with a retry route and more than one endpoint, to make flaky.
   */
  private static String flakyEndpoint(MeshConfig config) {
    for (Cluster c : config.clusters()) {
      if (c.endpoints().size() > 1) {
        Endpoint e = c.endpoints().get(0);
        return e.address();
      }
    }
    return null;
  }

  private Demo() {}
}
