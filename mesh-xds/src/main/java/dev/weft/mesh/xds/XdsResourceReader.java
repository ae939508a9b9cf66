package dev.weft.mesh.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import dev.weft.mesh.api.config.ConfigViolation;
import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.xds.XdsTranslator.Result;
import dev.weft.mesh.xds.XdsTranslator.State;
import dev.weft.mesh.xds.XdsTranslator.Target;
import dev.weft.mesh.xds.bootstrap.Bootstrap;
import dev.weft.mesh.xds.internal.client.XdsResourceType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a set of xDS resources offline the way {@link XdsConfigSource} reads them from a control
 * plane: every resource packed as it travels, parsed by the same parsers (with the same field
 * errors), then translated into the mesh model for one listener per service. For tools and tests
 * that check what a control plane's resources become in Weft without running a stream.
 */
public final class XdsResourceReader {
  private XdsResourceReader() {}

  /**
   * The configuration a client watching {@code services} (one listener per service, named as the
   * service) builds from {@code resources}.
   *
   * @param resources listeners, route configurations, clusters and cluster load assignments, in any
   *     order; other message types are refused
   * @param services the services the client would watch
   * @param version the version to give the configuration
   * @param certificateProviders the certificate provider instances of the client's bootstrap
   * @throws InvalidConfigException naming each resource the client would NACK and the field at
   *     fault, or naming the resources the configuration still needs
   */
  public static MeshConfig read(
      Collection<? extends Message> resources,
      List<String> services,
      String version,
      Map<String, Bootstrap.CertificateProvider> certificateProviders) {
    XdsResourceTypes types = new XdsResourceTypes(certificateProviders);
    List<ConfigViolation> errors = new ArrayList<>();
    Map<String, Optional<XdsValues.Listener>> listeners = new LinkedHashMap<>();
    Map<String, Optional<XdsValues.RouteConfig>> routes = new LinkedHashMap<>();
    Map<String, Optional<XdsValues.XdsCluster>> clusters = new LinkedHashMap<>();
    Map<String, Optional<XdsValues.Endpoints>> endpoints = new LinkedHashMap<>();
    for (Message m : resources) {
      if (m instanceof Listener) {
        parse(types.listeners, m, listeners, errors);
      } else if (m instanceof RouteConfiguration) {
        parse(types.routes, m, routes, errors);
      } else if (m instanceof Cluster) {
        parse(types.clusters, m, clusters, errors);
      } else if (m instanceof ClusterLoadAssignment) {
        parse(types.endpoints, m, endpoints, errors);
      } else {
        throw new IllegalArgumentException(
            "not an xDS resource this client reads: " + m.getDescriptorForType().getFullName());
      }
    }
    if (!errors.isEmpty()) {
      throw new InvalidConfigException("xDS resources", errors);
    }
    List<Target> targets = services.stream().map(s -> new Target(s, s, List.of(s))).toList();
    Result result =
        XdsTranslator.translate(targets, new State(listeners, routes, clusters, endpoints));
    if (!result.complete()) {
      throw new InvalidConfigException(
          "xDS resources",
          result.missing().stream()
              .map(m -> ConfigViolation.of(m, "required but not among the resources"))
              .toList());
    }
    return result.config(version);
  }

  private static <T> void parse(
      XdsResourceType<T> type,
      Message resource,
      Map<String, Optional<T>> out,
      List<ConfigViolation> errors) {
    XdsResourceType.Parsed<T> parsed = type.parse(Any.pack(resource));
    if (parsed.isValid()) {
      out.put(parsed.name(), Optional.of(parsed.value()));
    } else {
      errors.add(ConfigViolation.of(type.shortName() + " '" + parsed.name() + "'", parsed.error()));
    }
  }
}
