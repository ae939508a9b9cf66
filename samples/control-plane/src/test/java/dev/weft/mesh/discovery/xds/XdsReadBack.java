package dev.weft.mesh.discovery.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.discovery.xds.XdsTranslator.Result;
import dev.weft.mesh.discovery.xds.XdsTranslator.State;
import dev.weft.mesh.discovery.xds.XdsTranslator.Target;
import dev.weft.mesh.discovery.xds.bootstrap.Bootstrap;
import dev.weft.mesh.discovery.xds.client.XdsResourceType;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a control plane's snapshot back the way {@link XdsConfigSource} does: every resource packed
 * as it travels, parsed by the client's resource types (the same parsers, the same field errors),
 * then translated for one target per service. Test code, in the client's package for its
 * package-private parts.
 */
public final class XdsReadBack {
  private XdsReadBack() {}

  /**
   * The configuration a client watching {@code services} builds from {@code snapshot}.
   *
   * @param providers the certificate provider instances of the client's bootstrap
   * @throws AssertionError naming the resource and field when the client would NACK a resource, or
   *     naming what is missing when the snapshot is incomplete
   */
  public static MeshConfig read(Snapshot snapshot, List<String> services, String version,
      Map<String, Bootstrap.CertificateProvider> providers) {
    XdsResourceTypes types = new XdsResourceTypes(providers);
    List<String> errors = new ArrayList<>();
    State state = new State(
        parse(types.listeners, snapshot.listeners().resources().values(), errors),
        parse(types.routes, snapshot.routes().resources().values(), errors),
        parse(types.clusters, snapshot.clusters().resources().values(), errors),
        parse(types.endpoints, snapshot.endpoints().resources().values(), errors));
    if (!errors.isEmpty()) {
      throw new AssertionError("the client would NACK: " + String.join("; ", errors));
    }
    List<Target> targets = services.stream().map(s -> new Target(s, s, List.of(s))).toList();
    Result result = XdsTranslator.translate(targets, state);
    if (!result.complete()) {
      throw new AssertionError("incomplete: " + result.missing());
    }
    return result.config(version);
  }

  private static <T> Map<String, Optional<T>> parse(XdsResourceType<T> type, Collection<? extends Message> resources, List<String> errors) {
    Map<String, Optional<T>> out = new LinkedHashMap<>();
    for (Message m : resources) {
      XdsResourceType.Parsed<T> parsed = type.parse(Any.pack(m));
      if (parsed.isValid()) {
        out.put(parsed.name(), Optional.of(parsed.value()));
      } else {
        errors.add(type.shortName() + " '" + parsed.name() + "': " + parsed.error());
      }
    }
    return out;
  }
}
