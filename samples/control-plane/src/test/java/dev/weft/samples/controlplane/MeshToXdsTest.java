package dev.weft.samples.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.config.file.MeshConfigYaml;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MeshToXdsTest {
  private static final String YAML =
      """
      services:
        reviews:
          routes:
            - name: jason
              match: {headers: [{name: end-user, exact: jason}]}
              destinations: [{cluster: reviews, subset: v2}]
              timeout: 500ms
            - name: shift
              destinations:
                - {cluster: reviews, subset: v1, weight: 50}
                - {cluster: reviews, subset: v3, weight: 50}
              retry: {maxAttempts: 3, retryOn: [unavailable, 5xx]}
              mirrors: [{cluster: reviews, subset: v2, percent: 25}]
        ratings:
          routes:
            - destinations: [{cluster: ratings}]
              fault: {abort: {httpStatus: 500, grpcStatus: INTERNAL, percent: 100}}
      clusters:
        reviews:
          endpoints:
            - {address: "127.0.0.1:9082", labels: {version: v1}}
            - {address: "127.0.0.1:9083", labels: {version: v2}}
            - {address: "127.0.0.1:9084", labels: {version: v3}}
          subsets: {v1: {version: v1}, v2: {version: v2}, v3: {version: v3}}
          circuitBreakers: {maxConnections: 1, maxPendingRequests: 0, maxRequests: 1, maxRetries: 0}
        ratings:
          endpoints: [{address: "127.0.0.1:9085"}]
      """;

  @Test
  void servicesBecomeListenersAndRouteConfigurationsAndSubsetsBecomeClusters() {
    MeshConfig config = MeshConfigYaml.read(YAML.getBytes(StandardCharsets.UTF_8), "test.yaml");
    Snapshot snapshot = MeshToXds.snapshot(config, "7");

    assertThat(snapshot.listeners().resources()).containsOnlyKeys("reviews", "ratings");
    assertThat(snapshot.clusters().resources())
        .containsOnlyKeys("reviews", "reviews|v1", "reviews|v2", "reviews|v3", "ratings");
    assertThat(
            snapshot
                .clusters()
                .resources()
                .get("reviews|v1")
                .getCircuitBreakers()
                .getThresholds(0)
                .getMaxRequests()
                .getValue())
        .isEqualTo(1);

    ClusterLoadAssignment v2 = snapshot.endpoints().resources().get("reviews|v2");
    assertThat(v2.getEndpointsList()).hasSize(1);
    assertThat(
            v2.getEndpoints(0)
                .getLbEndpoints(0)
                .getEndpoint()
                .getAddress()
                .getSocketAddress()
                .getPortValue())
        .isEqualTo(9083);
    assertThat(
            v2.getEndpoints(0)
                .getLbEndpoints(0)
                .getMetadata()
                .getFilterMetadataOrThrow("istio")
                .getFieldsOrThrow("version")
                .getStringValue())
        .isEqualTo("v2");

    RouteConfiguration reviews = snapshot.routes().resources().get("reviews");
    Route jason = reviews.getVirtualHosts(0).getRoutes(0);
    assertThat(jason.getMatch().getHeaders(0).getStringMatch().getExact()).isEqualTo("jason");
    assertThat(jason.getRoute().getCluster()).isEqualTo("reviews|v2");
    assertThat(jason.getRoute().getTimeout().getNanos()).isEqualTo(500_000_000);
    Route shift = reviews.getVirtualHosts(0).getRoutes(1);
    assertThat(shift.getRoute().getWeightedClusters().getClustersList())
        .extracting(c -> c.getName())
        .containsExactly("reviews|v1", "reviews|v3");
    assertThat(shift.getRoute().getRetryPolicy().getNumRetries().getValue()).isEqualTo(2);
    assertThat(shift.getRoute().getRequestMirrorPolicies(0).getCluster()).isEqualTo("reviews|v2");
    assertThat(
            shift
                .getRoute()
                .getRequestMirrorPolicies(0)
                .getRuntimeFraction()
                .getDefaultValue()
                .getNumerator())
        .isEqualTo(250_000);
  }

  @Test
  void faultsArePerRouteOverridesOfTheListenersFaultFilter() throws Exception {
    MeshConfig config = MeshConfigYaml.read(YAML.getBytes(StandardCharsets.UTF_8), "test.yaml");
    Snapshot snapshot = MeshToXds.snapshot(config, "7");
    Route ratings = snapshot.routes().resources().get("ratings").getVirtualHosts(0).getRoutes(0);
    HTTPFault fault =
        ratings.getTypedPerFilterConfigOrThrow(MeshToXds.FAULT_FILTER).unpack(HTTPFault.class);
    assertThat(fault.getAbort().getGrpcStatus()).isEqualTo(13);
    assertThat(
            snapshot
                .listeners()
                .resources()
                .get("ratings")
                .getApiListener()
                .getApiListener()
                .toString())
        .contains(MeshToXds.FAULT_FILTER);
  }
}
