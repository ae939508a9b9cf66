package dev.weft.samples.bookinfo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The scenario configurations of Istio's BookInfo tasks, kept in {@code scenarios/NAME.yaml} on the
 * class path. A scenario holds routes and policies only, like Istio's VirtualService and
 * DestinationRule files; where the services run (their endpoints, and reviews' version subsets) is
 * added here from the ports the application uses, so one scenario file works on any ports.
 */
final class Scenarios {

  /** Every scenario, in the order of Istio's tasks. */
  static final List<String> NAMES = List.of(
      "default",
      "all-v1",
      "jason-v2",
      "v1-v3-50-50",
      "all-v3",
      "ratings-delay",
      "reviews-timeout",
      "ratings-abort",
      "details-circuit-breaker",
      "mirror-v1-to-v2");

  /** The scenario's YAML with the application's endpoints filled in. */
  @SuppressWarnings("unchecked")
  static String render(String name, Ports ports) {
    Map<String, Object> config = load(name);
    Map<String, Object> services = (Map<String, Object>) config.computeIfAbsent("services", k -> new LinkedHashMap<>());
    for (String service : List.of("productpage", "details", "reviews", "ratings")) {
      // a service the scenario leaves out goes to its cluster with the mesh's defaults
      services.putIfAbsent(service, Map.of("routes", List.of(Map.of("destinations", List.of(Map.of("cluster", service))))));
    }
    Map<String, Object> clusters = (Map<String, Object>) config.computeIfAbsent("clusters", k -> new LinkedHashMap<>());
    cluster(clusters, "productpage").put("endpoints", List.of(endpoint(ports.productpage(), "productpage", "v1")));
    cluster(clusters, "details").put("endpoints", List.of(endpoint(ports.details(), "details", "v1")));
    Map<String, Object> reviews = cluster(clusters, "reviews");
    reviews.put("endpoints", List.of(
        endpoint(ports.reviewsV1(), "reviews", "v1"),
        endpoint(ports.reviewsV2(), "reviews", "v2"),
        endpoint(ports.reviewsV3(), "reviews", "v3")));
    reviews.putIfAbsent("subsets", Map.of("v1", Map.of("version", "v1"), "v2", Map.of("version", "v2"), "v3", Map.of("version", "v3")));
    cluster(clusters, "ratings").put("endpoints", List.of(endpoint(ports.ratings(), "ratings", "v1")));
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    return "# Written by BookInfo from scenario '" + name + "'; edit the scenario, not this file.\n"
        + new Yaml(options).dump(config);
  }

  /**
   * Replaces {@code file} with the scenario by writing beside it and renaming, so that the file
   * source watching it never reads half a file.
   */
  static void write(String name, Ports ports, Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temp = Files.createTempFile(dir, ".bookinfo-", ".yaml");
    Files.writeString(temp, render(name, ports), StandardCharsets.UTF_8);
    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static Map<String, Object> load(String name) {
    if (!NAMES.contains(name)) {
      throw new IllegalArgumentException("unknown scenario '" + name + "'; the scenarios are " + NAMES);
    }
    try (InputStream in = Scenarios.class.getResourceAsStream("/scenarios/" + name + ".yaml")) {
      if (in == null) {
        throw new IllegalStateException("scenarios/" + name + ".yaml is missing from the class path");
      }
      Map<String, Object> config = new Yaml().load(in);
      return config == null ? new LinkedHashMap<>() : config;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cluster(Map<String, Object> clusters, String name) {
    Object cluster = clusters.get(name);
    if (cluster == null) {
      cluster = new LinkedHashMap<String, Object>();
      clusters.put(name, cluster);
    }
    return (Map<String, Object>) cluster;
  }

  private static Map<String, Object> endpoint(int port, String app, String version) {
    Map<String, Object> endpoint = new LinkedHashMap<>();
    endpoint.put("address", "127.0.0.1:" + port);
    endpoint.put("labels", Map.of("app", app, "version", version));
    return endpoint;
  }

  /** Where each service listens. */
  record Ports(int productpage, int details, int reviewsV1, int reviewsV2, int reviewsV3, int ratings) {
    /** BookInfo's usual ports: productpage on {@code base}, then details, reviews v1, v2, v3, ratings. */
    static Ports from(int base) {
      return new Ports(base, base + 1, base + 2, base + 3, base + 4, base + 5);
    }

    List<Integer> all() {
      return new ArrayList<>(List.of(productpage, details, reviewsV1, reviewsV2, reviewsV3, ratings));
    }
  }

  private Scenarios() {}
}
