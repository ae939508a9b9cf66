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
 *
 * <p>Every service listens twice: on its plaintext port and on its mutual-TLS port. A cluster whose
 * {@code tls} block in the scenario has mode {@code MUTUAL} gets the mutual-TLS ports as endpoints,
 * any other cluster the plaintext ones: the scenario file alone decides how each hop is secured.
 */
final class Scenarios {

  /** Every scenario, in the order of Istio's tasks. */
  static final List<String> NAMES =
      List.of(
          "default",
          "all-v1",
          "jason-v2",
          "v1-v3-50-50",
          "all-v3",
          "ratings-delay",
          "reviews-timeout",
          "ratings-abort",
          "details-circuit-breaker",
          "mirror-v1-to-v2",
          "strict-mtls",
          "reviews-canary");

  /** The scenario's YAML with the application's endpoints filled in. */
  static String render(String name, Ports ports) {
    return render(name, ports, null);
  }

  /**
   * The scenario's YAML with the application's endpoints filled in and, when {@code promotionStart}
   * is given, every canary promotion anchored to it: the time a rollout tool would write, so that
   * every instance of a service moves through the steps together.
   */
  @SuppressWarnings("unchecked")
  static String render(String name, Ports ports, java.time.Instant promotionStart) {
    Map<String, Object> config = load(name);
    if (promotionStart != null) {
      anchorPromotions(config, promotionStart);
    }
    Map<String, Object> services =
        (Map<String, Object>) config.computeIfAbsent("services", k -> new LinkedHashMap<>());
    for (String service : List.of("productpage", "details", "reviews", "ratings")) {
      // a service the scenario leaves out goes to its cluster with the mesh's defaults
      services.putIfAbsent(
          service,
          Map.of("routes", List.of(Map.of("destinations", List.of(Map.of("cluster", service))))));
    }
    Map<String, Object> clusters =
        (Map<String, Object>) config.computeIfAbsent("clusters", k -> new LinkedHashMap<>());
    Map<String, Object> productpage = cluster(clusters, "productpage");
    boolean tls = mutualTls(productpage, "productpage");
    productpage.put(
        "endpoints",
        List.of(endpoint(tls ? ports.productpageTls() : ports.productpage(), "productpage", "v1")));
    Map<String, Object> details = cluster(clusters, "details");
    tls = mutualTls(details, "details");
    details.put(
        "endpoints",
        List.of(endpoint(tls ? ports.detailsTls() : ports.details(), "details", "v1")));
    Map<String, Object> reviews = cluster(clusters, "reviews");
    tls = mutualTls(reviews, "reviews");
    reviews.put(
        "endpoints",
        List.of(
            endpoint(tls ? ports.reviewsV1Tls() : ports.reviewsV1(), "reviews", "v1"),
            endpoint(tls ? ports.reviewsV2Tls() : ports.reviewsV2(), "reviews", "v2"),
            endpoint(tls ? ports.reviewsV3Tls() : ports.reviewsV3(), "reviews", "v3")));
    reviews.putIfAbsent(
        "subsets",
        Map.of(
            "v1",
            Map.of("version", "v1"),
            "v2",
            Map.of("version", "v2"),
            "v3",
            Map.of("version", "v3")));
    Map<String, Object> ratings = cluster(clusters, "ratings");
    tls = mutualTls(ratings, "ratings");
    ratings.put(
        "endpoints",
        List.of(endpoint(tls ? ports.ratingsTls() : ports.ratings(), "ratings", "v1")));
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    return "# Written by BookInfo from scenario '"
        + name
        + "'; edit the scenario, not this file.\n"
        + new Yaml(options).dump(config);
  }

  @SuppressWarnings("unchecked")
  private static void anchorPromotions(Map<String, Object> config, java.time.Instant start) {
    if (!(config.get("services") instanceof Map<?, ?> services)) {
      return;
    }
    for (Object service : services.values()) {
      if (service instanceof Map<?, ?> svc && svc.get("routes") instanceof List<?> routes) {
        for (Object route : routes) {
          if (route instanceof Map<?, ?> r
              && r.get("canary") instanceof Map<?, ?> canary
              && canary.get("promotion") instanceof Map<?, ?> promotion) {
            ((Map<String, Object>) promotion).put("startTime", start.toString());
          }
        }
      }
    }
  }

  /**
   * Replaces {@code file} with the scenario by writing beside it and renaming, so that the file
   * source watching it never reads half a file.
   */
  static void write(String name, Ports ports, Path file) throws IOException {
    write(name, ports, file, null);
  }

  /** As {@link #write(String, Ports, Path)}, with canary promotions anchored to a start time. */
  static void write(String name, Ports ports, Path file, java.time.Instant promotionStart)
      throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temp = Files.createTempFile(dir, ".bookinfo-", ".yaml");
    Files.writeString(temp, render(name, ports, promotionStart), StandardCharsets.UTF_8);
    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static Map<String, Object> load(String name) {
    if (!NAMES.contains(name)) {
      throw new IllegalArgumentException(
          "unknown scenario '" + name + "'; the scenarios are " + NAMES);
    }
    try (InputStream in = Scenarios.class.getResourceAsStream("/scenarios/" + name + ".yaml")) {
      if (in == null) {
        throw new IllegalStateException(
            "scenarios/" + name + ".yaml is missing from the class path");
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

  /**
   * Whether the scenario secures calls to the cluster with mutual TLS. The services' TLS ports
   * require a client certificate, so a {@code SIMPLE} mode, which presents none, could never reach
   * them and is refused.
   */
  private static boolean mutualTls(Map<String, Object> cluster, String name) {
    if (!(cluster.get("tls") instanceof Map<?, ?> tls) || tls.get("mode") == null) {
      return false;
    }
    String mode = tls.get("mode").toString().toLowerCase(java.util.Locale.ROOT);
    return switch (mode) {
      case "mutual" -> true;
      case "disabled" -> false;
      default ->
          throw new IllegalArgumentException(
              "clusters."
                  + name
                  + ".tls.mode: BookInfo's TLS ports require client"
                  + " certificates, so a scenario uses MUTUAL or DISABLED, not "
                  + tls.get("mode"));
    };
  }

  private static Map<String, Object> endpoint(int port, String app, String version) {
    Map<String, Object> endpoint = new LinkedHashMap<>();
    endpoint.put("address", "127.0.0.1:" + port);
    endpoint.put("labels", Map.of("app", app, "version", version));
    return endpoint;
  }

  /**
   * Where each service listens: its plaintext port and its mutual-TLS port (the same handlers, the
   * same authorization policies; only the transport differs).
   */
  record Ports(
      int productpage,
      int details,
      int reviewsV1,
      int reviewsV2,
      int reviewsV3,
      int ratings,
      int productpageTls,
      int detailsTls,
      int reviewsV1Tls,
      int reviewsV2Tls,
      int reviewsV3Tls,
      int ratingsTls) {
    /** How far above its plaintext port each service's mutual-TLS port is in {@link #from}. */
    static final int TLS_OFFSET = 100;

    /**
     * BookInfo's usual ports: productpage on {@code base}, then details, reviews v1, v2, v3,
     * ratings; their mutual-TLS ports the same {@value #TLS_OFFSET} higher (9180 to 9185 for 9080).
     */
    static Ports from(int base) {
      int tls = base + TLS_OFFSET;
      return new Ports(
          base, base + 1, base + 2, base + 3, base + 4, base + 5, tls, tls + 1, tls + 2, tls + 3,
          tls + 4, tls + 5);
    }

    /** Twelve ports that were free on 127.0.0.1 a moment ago, for tests. */
    static Ports free() throws IOException {
      int[] p = new int[12];
      List<java.net.ServerSocket> sockets = new ArrayList<>();
      try {
        for (int i = 0; i < p.length; i++) {
          java.net.ServerSocket socket =
              new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
          sockets.add(socket);
          p[i] = socket.getLocalPort();
        }
      } finally {
        for (java.net.ServerSocket socket : sockets) {
          socket.close();
        }
      }
      return new Ports(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11]);
    }

    List<Integer> all() {
      return new ArrayList<>(
          List.of(
              productpage,
              details,
              reviewsV1,
              reviewsV2,
              reviewsV3,
              ratings,
              productpageTls,
              detailsTls,
              reviewsV1Tls,
              reviewsV2Tls,
              reviewsV3Tls,
              ratingsTls));
    }
  }

  private Scenarios() {}
}
