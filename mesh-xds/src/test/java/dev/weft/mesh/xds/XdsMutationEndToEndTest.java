package dev.weft.mesh.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.testing.xds.TestControlPlane;
import dev.weft.mesh.xds.XdsTranslator.Result;
import dev.weft.mesh.xds.XdsTranslator.State;
import dev.weft.mesh.xds.XdsTranslator.Target;
import dev.weft.mesh.xds.bootstrap.Bootstrap;
import dev.weft.mesh.xds.internal.client.XdsClientStatus;
import dev.weft.mesh.xds.internal.client.XdsResourceType;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * A smaller property run through the real stream: a snapshot with one mutated resource is served;
 * the client ACKs or NACKs it, keeps its one stream, and the configuration in force is always
 * either the one before or a complete translation of the new set, never a mix. A valid snapshot
 * after each try must be taken again.
 */
class XdsMutationEndToEndTest {
  static final String[] TYPE_URLS = {
    XdsResourceTypes.LISTENER_URL,
    XdsResourceTypes.ROUTE_URL,
    XdsResourceTypes.CLUSTER_URL,
    XdsResourceTypes.ENDPOINT_URL
  };
  static final List<Target> TARGETS =
      List.of(
          new Target(
              RichResources.LISTENER,
              RichResources.LISTENER,
              List.of(RichResources.LISTENER, "reviews.default.svc.cluster.local", "reviews")));
  static final XdsResourceTypes TYPES = new XdsResourceTypes(Map.of());
  static final AtomicInteger VERSIONS = new AtomicInteger();
  static TestControlPlane controlPlane;
  static XdsConfigSource source;
  static Mesh mesh;
  static MeshConfig baseConfig;

  @BeforeContainer
  static void start() throws Exception {
    controlPlane = new TestControlPlane().start();
    controlPlane.set(snapshot(base(), "base"));
    source =
        XdsConfigSource.builder(Bootstrap.forServer(controlPlane.target(), "mutation"))
            .targets("xds:///" + RichResources.LISTENER)
            .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200))
            .build();
    mesh = Mesh.builder().configSource(source).build();
    await().atMost(Duration.ofSeconds(10)).until(mesh::ready);
    baseConfig = mesh.config();
  }

  @AfterContainer
  static void stop() throws Exception {
    mesh.close();
    controlPlane.close();
  }

  static List<Message> base() {
    return List.of(
        RichResources.listener(),
        RichResources.routes(),
        RichResources.cluster(RichResources.V1),
        RichResources.cluster(RichResources.V2),
        RichResources.endpoints(RichResources.V1, 9001),
        RichResources.endpoints(RichResources.V2, 9101));
  }

  static Snapshot snapshot(List<Message> r, String version) {
    return Snapshot.create(
        List.of((Cluster) r.get(2), (Cluster) r.get(3)),
        List.of((ClusterLoadAssignment) r.get(4), (ClusterLoadAssignment) r.get(5)),
        List.of((Listener) r.get(0)),
        List.of((RouteConfiguration) r.get(1)),
        List.of(),
        version);
  }

  // A fixed seed keeps this end-to-end run reproducible; XdsMutationPropertiesTest explores widely.
  @Property(tries = 10, seed = "20261127")
  void theClientAcksOrNacksAndNeverAppliesAMix(
      @ForAll long seed, @ForAll @IntRange(min = 0, max = 5) int which) {
    List<Message> resources = new ArrayList<>(base());
    resources.set(which, new ProtoMutator(seed).mutate(resources.get(which), 2));
    String version = "m" + VERSIONS.incrementAndGet();
    MeshConfig before = mesh.config();
    controlPlane.set(snapshot(resources, version));
    try {
      await()
          .atMost(Duration.ofMillis(1500))
          .until(() -> controlPlane.answered(TYPE_URLS[typeIndex(which)], version));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      // The server may hold a response back (ADS mode waits for every requested name); that is
      // allowed.
    }
    List<MeshConfig> allowed = new ArrayList<>();
    allowed.add(before);
    expected(resources, false).ifPresent(allowed::add);
    expected(resources, true).ifPresent(allowed::add);
    assertThat(allowed.stream().map(c -> c.withVersion("x")))
        .contains(mesh.config().withVersion("x"));
    assertThat(controlPlane.streamsOpened().get()).isEqualTo(1);
    assertThat(source.xdsStatus().client().state())
        .isEqualTo(XdsClientStatus.ConnectionState.CONNECTED);

    String restore = "b" + VERSIONS.incrementAndGet();
    controlPlane.set(snapshot(base(), restore));
    // A NACKed version is re-sent by the server and answered again after a 1 s hold-off; allow for
    // that and a loaded machine.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> mesh.config().withVersion("x").equals(baseConfig.withVersion("x")));
  }

  private static int typeIndex(int which) {
    return which == 0 ? 0 : which == 1 ? 1 : which < 4 ? 2 : 3;
  }

  /**
   * The configuration the set translates to; with {@code absentDoesNotExist} missing listeners and
   * clusters count as deleted.
   */
  private static Optional<MeshConfig> expected(List<Message> r, boolean absentDoesNotExist) {
    Map<String, Optional<XdsValues.Listener>> listeners = new LinkedHashMap<>();
    Map<String, Optional<XdsValues.RouteConfig>> routes = new LinkedHashMap<>();
    Map<String, Optional<XdsValues.XdsCluster>> clusters = new LinkedHashMap<>();
    Map<String, Optional<XdsValues.Endpoints>> endpoints = new LinkedHashMap<>();
    if (!put(TYPES.listeners, r.get(0), listeners)
        || !put(TYPES.routes, r.get(1), routes)
        || !put(TYPES.clusters, r.get(2), clusters)
        || !put(TYPES.clusters, r.get(3), clusters)
        || !put(TYPES.endpoints, r.get(4), endpoints)
        || !put(TYPES.endpoints, r.get(5), endpoints)) {
      return Optional.empty();
    }
    if (absentDoesNotExist) {
      listeners.putIfAbsent(RichResources.LISTENER, Optional.empty());
      for (String c : Set.of(RichResources.V1, RichResources.V2)) {
        clusters.putIfAbsent(c, Optional.empty());
      }
    }
    Result result =
        XdsTranslator.translate(TARGETS, new State(listeners, routes, clusters, endpoints));
    if (!result.complete()) {
      return Optional.empty();
    }
    try {
      return Optional.of(result.config("x"));
    } catch (InvalidConfigException e) {
      return Optional.empty();
    }
  }

  private static <T> boolean put(
      XdsResourceType<T> type, Message m, Map<String, Optional<T>> into) {
    XdsResourceType.Parsed<T> p = type.parse(Any.pack(m));
    if (p.isValid()) {
      into.put(p.name(), Optional.of(p.value()));
    }
    return p.isValid();
  }
}
