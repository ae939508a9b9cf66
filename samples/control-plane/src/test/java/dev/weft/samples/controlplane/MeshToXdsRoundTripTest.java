package dev.weft.samples.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.HeaderMatch;
import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.RouteMatch;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.api.config.Subset;
import dev.weft.mesh.config.file.MeshConfigYaml;
import dev.weft.mesh.testing.config.MeshConfigs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * MeshConfig → {@link MeshToXds} → Weft's xDS client (its parsers and translator) → MeshConfig
 * gives back the configuration, as {@link XdsForm} describes what xDS carries. Authorization
 * policies are not part of this round trip (the generators make none, and MeshToXds serves none).
 */
class MeshToXdsRoundTripTest {
  static MeshConfig roundTrip(MeshConfig config) {
    return XdsForm.roundTrip(config);
  }

  static MeshConfig expected(MeshConfig config) {
    return XdsForm.expected(config);
  }

  static void assertSame(MeshConfig actual, MeshConfig expected) {
    XdsForm.assertSame(actual, expected);
  }

  @Property(tries = 300, seed = "20261128", maxDiscardRatio = 2)
  void everyConfigurationComesBackAsItsXdsForm(@ForAll("servable") MeshConfig config) {
    Assume.that(subsetClusterNamesAreFree(config));

    assertSame(roundTrip(config), expected(config));
  }

  @Provide
  Arbitrary<MeshConfig> servable() {
    Arbitrary<List<Object>> optionValues =
        Arbitraries.oneOf(
                Arbitraries.integers().between(1, 100_000).map(i -> (Object) i),
                Arbitraries.longs().between(1, 1L << 40).map(l -> (Object) l),
                Arbitraries.of("64", 2.5).map(o -> (Object) o))
            .list()
            .ofSize(9);
    return Combinators.combine(MeshConfigs.meshConfigs(), optionValues)
        .as((config, values) -> withPolicyOptions(withoutPseudoHeaderMatches(config), values));
  }

  /**
   * The generators' options are free-form; this adds the ones xDS carries, for the policy in use.
   */
  static MeshConfig withPolicyOptions(MeshConfig config, List<Object> values) {
    List<Cluster> clusters = new ArrayList<>();
    for (int i = 0; i < config.clusters().size(); i++) {
      Cluster c = config.clusters().get(i);
      Map<String, Object> options = new LinkedHashMap<>(c.loadBalancing().options());
      switch (c.loadBalancing().policy()) {
        case LoadBalancing.LEAST_REQUEST -> options.put("choiceCount", values.get(3 * i));
        case LoadBalancing.RING_HASH -> {
          options.put("minRingSize", values.get(3 * i));
          options.put("maxRingSize", values.get(3 * i + 1));
        }
        case LoadBalancing.MAGLEV -> options.put("tableSize", values.get(3 * i + 2));
        default -> {}
      }
      clusters.add(c.toBuilder().loadBalancing(c.loadBalancing().withOptions(options)).build());
    }
    return new MeshConfig(
        config.version(), config.services(), clusters, config.authorizationPolicies());
  }

  /** Pseudo-header matches have no xDS form Weft reads: MeshToXds refuses them (see below). */
  static MeshConfig withoutPseudoHeaderMatches(MeshConfig config) {
    List<Service> services =
        config.services().stream()
            .map(
                s ->
                    new Service(
                        s.name(),
                        s.routes().stream()
                            .map(
                                r -> {
                                  List<HeaderMatch> headers =
                                      r.match().headers().stream()
                                          .filter(h -> !h.name().startsWith(":"))
                                          .toList();
                                  return r.toBuilder()
                                      .match(
                                          new RouteMatch(
                                              r.match().path(), r.match().methods(), headers))
                                      .build();
                                })
                            .toList()))
            .toList();
    return new MeshConfig(
        config.version(), services, config.clusters(), config.authorizationPolicies());
  }

  static boolean subsetClusterNamesAreFree(MeshConfig config) {
    Set<String> names = new HashSet<>();
    config.clusters().forEach(c -> names.add(c.name()));
    for (Cluster c : config.clusters()) {
      for (Subset s : c.subsets()) {
        if (!names.add(MeshToXds.clusterName(c.name(), s.name()))) {
          return false;
        }
      }
    }
    return true;
  }

  @Test
  void theExampleFileComesBackAsItsXdsForm() throws Exception {
    Path example = Path.of("../../docs/examples/mesh.yaml");
    MeshConfig config = MeshConfigYaml.read(Files.readAllBytes(example), example.toString());

    MeshConfig read = roundTrip(config);

    assertSame(read, expected(config));
    assertThat(read.services()).isNotEmpty();
    assertThat(read.clusters()).isNotEmpty();
  }

  @Test
  void whatXdsCarriesComesBackUnchanged() {
    MeshConfig config =
        MeshConfigYaml.read(
            """
        services:
          reviews:
            routes:
              - name: jason
                match:
                  path: {prefix: /reviews, ignoreCase: true}
                  methods: [GET, HEAD]
                  headers: [{name: end-user, exact: jason}, {name: x-shard, range: {start: 1, end: 9}, invert: true}]
                destinations: [{cluster: reviews, subset: v2}]
                timeout: 500ms
                hashPolicies: [{header: x-user, terminal: true}]
              - name: shift
                destinations:
                  - {cluster: reviews, subset: v1, weight: 50}
                  - {cluster: reviews, subset: v3, weight: 50}
                retry: {maxAttempts: 4, perTryTimeout: 200ms, retryOn: [unavailable, retriable-status-codes],
                        retriableStatusCodes: [503], initialBackoff: 10ms, maxBackoff: 1s}
                mirrors: [{cluster: reviews, subset: v2, percent: 12.5}]
                fault:
                  delay: {fixedDelay: 2s, percent: 10}
                  abort: {grpcStatus: UNAVAILABLE, percent: 5}
                  headers: [{name: x-chaos, present: true}]
        clusters:
          reviews:
            endpoints:
              - {address: "10.0.0.1:9080", labels: {version: v1}, locality: {region: eu, zone: a}, weight: 3}
              - {address: "10.0.0.2:9080", labels: {version: v2}, locality: {region: eu, zone: b}, priority: 2, health: DRAINING}
              - {address: "10.0.0.3:9080", labels: {version: v3}, locality: {region: eu, zone: a}}
            subsets: {v1: {version: v1}, v2: {version: v2}, v3: {version: v3}}
            loadBalancing: {policy: ring_hash, options: {minRingSize: 1024, maxRingSize: 8192}, localityWeighted: true,
                            overprovisioningFactor: 200, panicThreshold: 25}
            circuitBreakers: {maxConnections: 10, maxPendingRequests: 5, maxRequests: 20, maxRetries: 2}
            outlierDetection: {interval: 5s, baseEjectionTime: 30s, maxEjectionTime: 300s, maxEjectionPercent: 50,
                               consecutiveFailures: 3, consecutiveGatewayFailures: 2,
                               successRate: {minimumHosts: 3, requestVolume: 50, stdevFactor: 1.9, enforcingPercent: 80},
                               failurePercentage: {threshold: 80, minimumHosts: 3, requestVolume: 40, enforcingPercent: 60}}
            tls: {mode: mutual, certificateChain: /etc/weft/cert.pem, privateKey: /etc/weft/key.pem,
                  caCertificates: /etc/weft/ca.pem, subjectAltNames: ["spiffe://weft.test/ns/default/sa/reviews"], sni: reviews}
            connectTimeout: 2s
        """
                .getBytes(StandardCharsets.UTF_8),
            "rich.yaml");

    MeshConfig read = roundTrip(config);

    assertSame(read, expected(config));
    Route get = read.services().get(0).routes().get(0);
    assertThat(get.match().methods()).containsExactly("GET");
    assertThat(read.services().get(0).routes().get(1).name()).isEqualTo("jason-1");
    assertThat(read.services().get(0).routes().get(1).match().methods()).containsExactly("HEAD");
    Cluster v2 = read.cluster("reviews|v2").orElseThrow();
    assertThat(v2.tls()).isEqualTo(config.cluster("reviews").orElseThrow().tls());
    assertThat(v2.outlierDetection())
        .isEqualTo(config.cluster("reviews").orElseThrow().outlierDetection());
    assertThat(v2.loadBalancing().options())
        .isEqualTo(Map.of("minRingSize", 1024L, "maxRingSize", 8192L));
    assertThat(v2.endpoints()).singleElement().satisfies(e -> assertThat(e.priority()).isZero());
  }

  @Test
  void aClusterNoServiceIsNamedAfterIsServedAsAServiceOfItsName() {
    MeshConfig config =
        MeshConfigYaml.read(
            """
        clusters:
          ratings: {endpoints: [{address: "10.0.0.9:9080"}], connectTimeout: 1s}
        """
                .getBytes(StandardCharsets.UTF_8),
            "cluster-only.yaml");

    MeshConfig read = roundTrip(config);

    assertThat(read.services())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.name()).isEqualTo("ratings");
              assertThat(s.routes())
                  .singleElement()
                  .isEqualTo(
                      Route.builder("default").destinations(Destination.of("ratings")).build());
            });
    assertThat(read.cluster("ratings").orElseThrow().connectTimeout())
        .isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void mutualTlsWithTheMeshIdentityNamesTheIdentityProviderInstance() {
    MeshConfig config =
        MeshConfigYaml.read(
            """
        services:
          ratings: {routes: [{destinations: [{cluster: ratings}]}]}
        clusters:
          ratings:
            endpoints: [{address: "10.0.0.9:9080"}]
            tls: {mode: mutual}
        """
                .getBytes(StandardCharsets.UTF_8),
            "identity.yaml");

    MeshConfig read = roundTrip(config);

    assertThat(read.cluster("ratings").orElseThrow().tls().certificateChain())
        .isEqualTo(XdsForm.IDENTITY.certificateFile());
    assertSame(read, expected(config));
  }

  @Test
  void aPseudoHeaderMatchIsRefusedNamingTheRoute() {
    MeshConfig config =
        MeshConfigYaml.read(
            """
        services:
          ratings:
            routes: [{name: by-host, match: {headers: [{name: ":authority", exact: ratings}]}, destinations: [{cluster: ratings}]}]
        clusters:
          ratings: {endpoints: [{address: "10.0.0.9:9080"}]}
        """
                .getBytes(StandardCharsets.UTF_8),
            "pseudo.yaml");

    assertThatThrownBy(() -> MeshToXds.snapshot(config, "1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("services.ratings.routes.by-host.match.headers")
        .hasMessageContaining(":authority");
  }

  @Test
  void aSubsetWhoseClusterNameIsTakenIsRefused() {
    MeshConfig config =
        MeshConfigYaml.read(
            """
        clusters:
          reviews:
            endpoints: [{address: "10.0.0.1:9080", labels: {version: v2}}]
            subsets: {v2: {version: v2}}
          "reviews|v2": {endpoints: [{address: "10.0.0.2:9080"}]}
        """
                .getBytes(StandardCharsets.UTF_8),
            "taken.yaml");

    assertThatThrownBy(() -> MeshToXds.snapshot(config, "1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("clusters.reviews.subsets.v2")
        .hasMessageContaining("'reviews|v2' is taken by clusters.reviews|v2");
  }
}
