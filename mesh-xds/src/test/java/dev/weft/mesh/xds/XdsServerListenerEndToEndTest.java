package dev.weft.mesh.xds;

import static dev.weft.mesh.testing.xds.RbacResources.anyPermission;
import static dev.weft.mesh.testing.xds.RbacResources.policy;
import static dev.weft.mesh.testing.xds.RbacResources.principal;
import static dev.weft.mesh.testing.xds.RbacResources.rbac;
import static dev.weft.mesh.testing.xds.RbacResources.serverListener;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.security.AuthorizationPolicy;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.testing.xds.RbacResources;
import dev.weft.mesh.testing.xds.Resources;
import dev.weft.mesh.testing.xds.TestControlPlane;
import dev.weft.mesh.xds.bootstrap.Bootstrap;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.RBAC.Action;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The server Listener of this process, served over ADS by java-control-plane next to the client
 * resources: its RBAC policies reach the mesh configuration, follow updates, and an invalid one is
 * NACKed naming the field while the policies in force stay.
 */
class XdsServerListenerEndToEndTest {
  static final String LISTENER = "details.default.svc.cluster.local:9080";
  static final String CLUSTER = "outbound|9080||details.default.svc.cluster.local";
  static final String PRODUCTPAGE = "cluster.local/ns/default/sa/productpage";
  static final String REVIEWS = "cluster.local/ns/default/sa/reviews";
  static final String GET = "/bookinfo.Details/Get";

  static Snapshot snapshot(String version, Listener server) {
    List<Listener> listeners = new ArrayList<>(List.of(Resources.rdsListener(LISTENER, "details")));
    if (server != null) {
      listeners.add(server);
    }
    return Snapshot.create(
        List.of(Resources.edsCluster(CLUSTER)),
        List.of(Resources.endpoints(CLUSTER, "v1", 9999)),
        listeners,
        List.of(Resources.weighted("details", LISTENER, CLUSTER, 1, CLUSTER, 0)),
        List.of(),
        version);
  }

  static Listener allowOnly(String principal) {
    return serverListener(
        rbac(
            "envoy.filters.http.rbac",
            Action.ALLOW,
            Map.of(
                "ns[default]-policy[details-viewer]-rule[0]",
                policy(List.of(anyPermission()), List.of(principal(principal))))));
  }

  static Bootstrap bootstrap(TestControlPlane cp) {
    return bootstrap(cp.target());
  }

  static Bootstrap bootstrap(String target) {
    return Bootstrap.forServer(target, "server-listener")
        .withServerListenerResourceNameTemplate(RbacResources.TEMPLATE);
  }

  static boolean allows(MeshConfig config, String caller) {
    return XdsRbacTranslationTest.allowed(config.authorizationPolicies(), caller, GET);
  }

  @Test
  void policiesFromTheServerListenerReachTheMeshFollowUpdatesAndSurviveAnInvalidOne()
      throws Exception {
    try (TestControlPlane cp = new TestControlPlane().start()) {
      cp.set(snapshot("1", allowOnly(PRODUCTPAGE)));
      XdsConfigSource source =
          XdsConfigSource.builder(bootstrap(cp))
              .targets("xds:///" + LISTENER)
              .serverListener(RbacResources.ADDRESS)
              .build();
      assertThat(source.serverListenerName()).contains(RbacResources.NAME);
      try (Mesh mesh = Mesh.builder().configSource(source).build()) {
        await().atMost(Duration.ofSeconds(10)).until(mesh::ready);
        MeshConfig first = mesh.config();
        assertThat(first.authorizationPolicies())
            .extracting(AuthorizationPolicy::name)
            .containsExactly("ns[default]-policy[details-viewer]-rule[0]");
        assertThat(first.services()).isNotEmpty();
        assertThat(allows(first, PRODUCTPAGE)).isTrue();
        assertThat(allows(first, REVIEWS)).isFalse();

        cp.set(snapshot("2", allowOnly(REVIEWS)));
        await().atMost(Duration.ofSeconds(10)).until(() -> allows(mesh.config(), REVIEWS));
        assertThat(allows(mesh.config(), PRODUCTPAGE)).isFalse();
        assertThat(mesh.configVersion()).contains("lds:2");

        Listener invalid =
            serverListener(
                rbac(
                    "envoy.filters.http.rbac",
                    Action.ALLOW,
                    Map.of(
                        "ports",
                        policy(
                            List.of(
                                anyPermission(),
                                Permission.newBuilder().setDestinationPort(9080).build()),
                            List.of(principal(PRODUCTPAGE))))));
        cp.set(snapshot("3", invalid));
        await().atMost(Duration.ofSeconds(10)).until(() -> !cp.nacks().isEmpty());
        DiscoveryRequest nack = cp.nacks().get(0);
        assertThat(nack.getTypeUrl()).isEqualTo(XdsResourceTypes.LISTENER_URL);
        assertThat(nack.getErrorDetail().getMessage())
            .contains(
                "Listener '"
                    + RbacResources.NAME
                    + "': "
                    + "filter_chains[0].filters[0].typed_config.http_filters[0].typed_config.rules.policies['ports'].permissions[1]"
                    + ".destination_port: not supported");
        assertThat(allows(mesh.config(), REVIEWS)).isTrue();
        assertThat(allows(mesh.config(), PRODUCTPAGE)).isFalse();
        assertThat(mesh.configVersion()).contains("lds:2");
        assertThat(mesh.config().services()).isNotEmpty();
        assertThat(mesh.lastConfigError()).isNotNull();
      }
    }
  }

  @Test
  void aServerOnlySourceDeliversPoliciesAndAWithdrawnListenerDeniesEveryCall() throws Exception {
    // java-control-plane holds back ADS responses that lack a requested resource: a scripted server
    // sends the withdrawal.
    try (ScriptedAdsServer ads = new ScriptedAdsServer()) {
      XdsConfigSource source =
          XdsConfigSource.builder(bootstrap(ads.target()))
              .serverListener(RbacResources.ADDRESS)
              .build();
      try (Mesh mesh = Mesh.builder().configSource(source).build()) {
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> ads.connected() && !ads.requests.isEmpty());
        assertThat(ads.requests.get(0).getResourceNamesList()).containsExactly(RbacResources.NAME);
        String first = ads.send(XdsResourceTypes.LISTENER_URL, "1", allowOnly(PRODUCTPAGE));
        await().atMost(Duration.ofSeconds(10)).until(mesh::ready);
        assertThat(ads.acked(first)).isTrue();
        assertThat(allows(mesh.config(), PRODUCTPAGE)).isTrue();
        assertThat(allows(mesh.config(), REVIEWS)).isFalse();
        assertThat(source.status()).containsEntry("serverListener", RbacResources.NAME);

        String withdrawn = ads.send(XdsResourceTypes.LISTENER_URL, "2");
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    mesh.config().authorizationPolicies().stream()
                        .map(dev.weft.mesh.api.security.AuthorizationPolicy::name)
                        .toList()
                        .equals(List.of(XdsTranslator.SERVER_LISTENER_ABSENT)));
        assertThat(ads.acked(withdrawn)).isTrue();
        assertThat(allows(mesh.config(), REVIEWS)).isFalse();
        assertThat(allows(mesh.config(), PRODUCTPAGE)).isFalse();
      }
    }
  }

  @Test
  void aServerListenerNeedsTheBootstrapTemplate() {
    Bootstrap noTemplate = Bootstrap.forServer("127.0.0.1:1", "x");
    assertThatThrownBy(
            () ->
                XdsConfigSource.builder(noTemplate)
                    .targets("xds:///a")
                    .serverListener("0.0.0.0:9080")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("server_listener_resource_name_template");
    assertThatThrownBy(() -> XdsConfigSource.builder(noTemplate).build())
        .hasMessageContaining("at least one target");
  }
}
