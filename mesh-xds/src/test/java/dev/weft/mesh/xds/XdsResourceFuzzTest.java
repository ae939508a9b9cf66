package dev.weft.mesh.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.config.MeshConfig;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the xDS resource parsers and the translator with serialized protobuf bytes, as a control
 * plane sends them. Each input is parsed with the message type's {@code parseFrom}; a message is
 * then read twice:
 *
 * <ul>
 *   <li>by its parser directly, where only {@link FieldException} (a field the client NACKs) may
 *       escape: any other exception is one the resource type would only report as "cannot be used";
 *   <li>by {@link XdsResourceReader#read} together with {@link RichResources}' other resources, so
 *       an accepted resource goes on through the translator: only {@link InvalidConfigException}
 *       escapes, and its violations say what is wrong.
 * </ul>
 *
 * <p>{@link #serverListener} reads a listener as this process's server listener, which is where the
 * RBAC filters are translated into authorization policies. The seeds in {@code
 * XdsResourceFuzzTestInputs} run as regression tests; see {@code docs/fuzzing.md}.
 */
class XdsResourceFuzzTest {
  private static final String SERVICE = RichResources.LISTENER;

  @FuzzTest(maxDuration = "1m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void listener(byte[] bytes) {
    Listener l;
    try {
      l = Listener.parseFrom(bytes);
    } catch (InvalidProtocolBufferException notAMessage) {
      return;
    }
    parseOrNack(() -> ListenerParser.parse(l));
    readOrReject(
        r -> r.set(0, l.toBuilder().setName(SERVICE).build()), List.of(SERVICE, l.getName()));
  }

  @FuzzTest(maxDuration = "1m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void routeConfiguration(byte[] bytes) {
    RouteConfiguration rc;
    try {
      rc = RouteConfiguration.parseFrom(bytes);
    } catch (InvalidProtocolBufferException notAMessage) {
      return;
    }
    parseOrNack(() -> RouteConfigParser.parse(rc, ""));
    readOrReject(
        r -> r.set(1, rc.toBuilder().setName(RichResources.ROUTES).build()), List.of(SERVICE));
  }

  @FuzzTest(maxDuration = "1m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void cluster(byte[] bytes) {
    Cluster c;
    try {
      c = Cluster.parseFrom(bytes);
    } catch (InvalidProtocolBufferException notAMessage) {
      return;
    }
    parseOrNack(() -> new ClusterParser(Map.of()).parse(c));
    readOrReject(r -> r.set(2, c.toBuilder().setName(RichResources.V1).build()), List.of(SERVICE));
  }

  @FuzzTest(maxDuration = "1m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void clusterLoadAssignment(byte[] bytes) {
    ClusterLoadAssignment cla;
    try {
      cla = ClusterLoadAssignment.parseFrom(bytes);
    } catch (InvalidProtocolBufferException notAMessage) {
      return;
    }
    parseOrNack(() -> EndpointParser.parse(cla, ""));
    readOrReject(
        r -> r.set(4, cla.toBuilder().setClusterName(RichResources.V1).build()), List.of(SERVICE));
  }

  @FuzzTest(maxDuration = "1m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void serverListener(byte[] bytes) {
    Listener l;
    try {
      l = Listener.parseFrom(bytes);
    } catch (InvalidProtocolBufferException notAMessage) {
      return;
    }
    XdsValues.Listener parsed = parseOrNack(() -> ServerListenerParser.parse(l));
    if (parsed != null) {
      // the same listener parses to the same policies again (the translation is deterministic)
      assertThat(ServerListenerParser.parse(l)).isEqualTo(parsed);
    }
  }

  /** Runs a parser: a value, or null when it NACKs with a field error. */
  private static <T> T parseOrNack(java.util.function.Supplier<T> parser) {
    try {
      return parser.get();
    } catch (FieldException nack) {
      assertThat(nack.getMessage()).isNotBlank();
      return null;
    }
  }

  /**
   * Reads RichResources' listener, routes, clusters and endpoints, {@code replace}d in part, the
   * way a client watching {@code services} would.
   */
  private static void readOrReject(Consumer<List<Message>> replace, List<String> services) {
    List<Message> resources = new ArrayList<>(rich());
    replace.accept(resources);
    MeshConfig config;
    try {
      config = XdsResourceReader.read(resources, services, "fuzz", Map.of());
    } catch (InvalidConfigException e) {
      assertThat(e.violations()).isNotEmpty();
      return;
    }
    assertThat(config).isNotNull();
  }

  private static List<Message> rich() {
    return List.of(
        RichResources.listener(),
        RichResources.routes(),
        RichResources.cluster(RichResources.V1),
        RichResources.cluster(RichResources.V2),
        RichResources.endpoints(RichResources.V1, 9080),
        RichResources.endpoints(RichResources.V2, 9090));
  }
}
