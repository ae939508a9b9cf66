package dev.weft.mesh.xds.internal.client;

import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.weft.mesh.xds.bootstrap.Bootstrap;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.List;
import java.util.Map;

/** The bootstrap's node identity as the Envoy {@link Node} every ADS request names. */
final class NodeConverter {
  /**
   * Tells the server that a state-of-the-world response may carry resources wrapped in {@code
   * Resource}.
   */
  static final String RESOURCE_IN_SOTW = "xds.config.resource-in-sotw";

  private NodeConverter() {}

  static Node toNode(Bootstrap.Node n) {
    Node.Builder b =
        Node.newBuilder()
            .setId(n.id())
            .setCluster(n.cluster())
            .setUserAgentName(n.userAgentName())
            .setUserAgentVersion("0.1")
            .addClientFeatures(RESOURCE_IN_SOTW);
    if (!n.metadata().isEmpty()) {
      b.setMetadata(toStruct(n.metadata()));
    }
    Bootstrap.Locality l = n.locality();
    if (!l.region().isEmpty() || !l.zone().isEmpty() || !l.subZone().isEmpty()) {
      b.setLocality(
          Locality.newBuilder().setRegion(l.region()).setZone(l.zone()).setSubZone(l.subZone()));
    }
    return b.build();
  }

  /**
   * JSON-shaped data (maps, lists, booleans, numbers, strings, null) as a protobuf {@link Struct}.
   */
  static Struct toStruct(Map<?, ?> map) {
    Struct.Builder s = Struct.newBuilder();
    map.forEach((k, v) -> s.putFields(String.valueOf(k), toValue(v)));
    return s.build();
  }

  private static Value toValue(Object v) {
    if (v instanceof Map<?, ?> m) {
      return Value.newBuilder().setStructValue(toStruct(m)).build();
    }
    if (v instanceof List<?> l) {
      ListValue.Builder lb = ListValue.newBuilder();
      l.forEach(x -> lb.addValues(toValue(x)));
      return Value.newBuilder().setListValue(lb).build();
    }
    if (v instanceof Boolean bool) {
      return Value.newBuilder().setBoolValue(bool).build();
    }
    if (v instanceof Number num) {
      return Value.newBuilder().setNumberValue(num.doubleValue()).build();
    }
    if (v == null) {
      return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
    }
    return Value.newBuilder().setStringValue(v.toString()).build();
  }
}
