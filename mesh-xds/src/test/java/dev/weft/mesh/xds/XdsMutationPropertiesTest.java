package dev.weft.mesh.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.xds.XdsTranslator.Result;
import dev.weft.mesh.xds.XdsTranslator.State;
import dev.weft.mesh.xds.XdsTranslator.Target;
import dev.weft.mesh.xds.internal.client.XdsResourceType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * Random field changes of valid Listener, RouteConfiguration, Cluster and ClusterLoadAssignment
 * messages, straight through the parsers and the translator (for volume): every resource either
 * parses or is rejected with an error; a set that parses either becomes a configuration the mesh
 * accepts, or is rejected as a whole; nothing throws anything else.
 */
class XdsMutationPropertiesTest {
  static final XdsResourceTypes TYPES = new XdsResourceTypes(Map.of());
  static final List<Target> TARGETS =
      List.of(
          new Target(
              RichResources.LISTENER,
              RichResources.LISTENER,
              List.of(RichResources.LISTENER, "reviews")));

  static List<Message> base() {
    return List.of(
        RichResources.listener(),
        RichResources.routes(),
        RichResources.cluster(RichResources.V1),
        RichResources.cluster(RichResources.V2),
        RichResources.endpoints(RichResources.V1, 9001),
        RichResources.endpoints(RichResources.V2, 9101));
  }

  @Property(tries = 1500)
  void aMutatedResourceIsAcceptedOrRejectedAndNeverHalfApplied(
      @ForAll long seed,
      @ForAll @IntRange(min = 0, max = 5) int which,
      @ForAll @IntRange(min = 1, max = 4) int changes) {
    List<Message> resources = new ArrayList<>(base());
    resources.set(which, new ProtoMutator(seed).mutate(resources.get(which), changes));

    Map<String, Optional<XdsValues.Listener>> listeners = new LinkedHashMap<>();
    Map<String, Optional<XdsValues.RouteConfig>> routes = new LinkedHashMap<>();
    Map<String, Optional<XdsValues.XdsCluster>> clusters = new LinkedHashMap<>();
    Map<String, Optional<XdsValues.Endpoints>> endpoints = new LinkedHashMap<>();
    boolean allValid = true;
    allValid &= parseInto(TYPES.listeners, resources.get(0), listeners);
    allValid &= parseInto(TYPES.routes, resources.get(1), routes);
    allValid &= parseInto(TYPES.clusters, resources.get(2), clusters);
    allValid &= parseInto(TYPES.clusters, resources.get(3), clusters);
    allValid &= parseInto(TYPES.endpoints, resources.get(4), endpoints);
    allValid &= parseInto(TYPES.endpoints, resources.get(5), endpoints);
    if (!allValid) {
      Statistics.collect("rejected by a parser");
      return; // the response holding the invalid resource is NACKed whole
    }
    Result result =
        XdsTranslator.translate(TARGETS, new State(listeners, routes, clusters, endpoints));
    if (!result.complete()) {
      Statistics.collect("incomplete, waiting");
      return; // waiting for resources that a renamed reference points at; nothing is delivered
    }
    MeshConfig config;
    try {
      config = result.config("v");
    } catch (InvalidConfigException e) {
      Statistics.collect("rejected by the model");
      assertThat(e.violations()).isNotEmpty();
      return;
    }
    // A fresh mesh per try: the mesh's own handling of one configuration following another is
    // mesh-core's to test (an update that changes outlier detection and removes endpoints at once
    // currently fails inside mesh-core with an IllegalArgumentException; see the module's report).
    try (Mesh mesh = Mesh.builder().config(config).build()) {
      assertThat(mesh.config()).isEqualTo(config);
      Statistics.collect("accepted");
    } catch (InvalidConfigException e) {
      Statistics.collect("rejected by the mesh");
      assertThat(e.violations()).isNotEmpty();
    }
  }

  private static <T> boolean parseInto(
      XdsResourceType<T> type, Message message, Map<String, Optional<T>> into) {
    XdsResourceType.Parsed<T> parsed = type.parse(Any.pack(message));
    if (parsed.isValid()) {
      assertThat(parsed.value()).isNotNull();
      assertThat(parsed.name()).isNotEmpty();
      into.put(parsed.name(), Optional.of(parsed.value()));
      return true;
    }
    assertThat(parsed.value()).isNull();
    assertThat(parsed.error()).isNotBlank();
    return false;
  }
}
