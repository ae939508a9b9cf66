package dev.weft.mesh.xds;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.weft.mesh.xds.XdsValues.Endpoints;
import dev.weft.mesh.xds.XdsValues.Listener;
import dev.weft.mesh.xds.XdsValues.RouteConfig;
import dev.weft.mesh.xds.XdsValues.XdsCluster;
import dev.weft.mesh.xds.bootstrap.Bootstrap;
import dev.weft.mesh.xds.internal.client.XdsResourceType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** The four resource types of the xDS flow, each parsing into an {@link XdsValues} value. */
final class XdsResourceTypes {
  static final String LISTENER_URL = "type.googleapis.com/envoy.config.listener.v3.Listener";
  static final String ROUTE_URL = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
  static final String CLUSTER_URL = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  static final String ENDPOINT_URL =
      "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";

  final XdsResourceType<Listener> listeners;
  final XdsResourceType<RouteConfig> routes;
  final XdsResourceType<XdsCluster> clusters;
  final XdsResourceType<Endpoints> endpoints;

  XdsResourceTypes(Map<String, Bootstrap.CertificateProvider> providers) {
    this(providers, Set.of());
  }

  /** With {@code serverListeners} the names of this process's server listeners, parsed as such. */
  XdsResourceTypes(
      Map<String, Bootstrap.CertificateProvider> providers, Set<String> serverListeners) {
    ClusterParser clusterParser = new ClusterParser(providers);
    Set<String> servers = Set.copyOf(serverListeners);
    listeners =
        new Type<>(
            LISTENER_URL,
            "Listener",
            true,
            io.envoyproxy.envoy.config.listener.v3.Listener.class,
            io.envoyproxy.envoy.config.listener.v3.Listener::getName,
            l ->
                servers.contains(l.getName())
                    ? ServerListenerParser.parse(l)
                    : ListenerParser.parse(l));
    routes =
        new Type<>(
            ROUTE_URL,
            "RouteConfiguration",
            false,
            RouteConfiguration.class,
            RouteConfiguration::getName,
            rc -> RouteConfigParser.parse(rc, ""));
    clusters =
        new Type<>(
            CLUSTER_URL, "Cluster", true, Cluster.class, Cluster::getName, clusterParser::parse);
    endpoints =
        new Type<>(
            ENDPOINT_URL,
            "ClusterLoadAssignment",
            false,
            ClusterLoadAssignment.class,
            ClusterLoadAssignment::getClusterName,
            cla -> EndpointParser.parse(cla, ""));
  }

  /**
   * The short form a delivered configuration's version names {@code type} by ({@code lds}, {@code
   * rds}, {@code cds}, {@code eds}); {@code type} is one of this instance's four.
   */
  String abbreviation(XdsResourceType<?> type) {
    if (type == listeners) {
      return "lds";
    }
    if (type == routes) {
      return "rds";
    }
    if (type == clusters) {
      return "cds";
    }
    if (type == endpoints) {
      return "eds";
    }
    throw new IllegalArgumentException("not a type of this xDS flow: " + type.typeUrl());
  }

  /** One type: unpacks the proto, reads its name, parses it; every failure names the field. */
  private record Type<M extends Message, T>(
      String typeUrl,
      String shortName,
      boolean allResourcesRequired,
      Class<M> protoClass,
      Function<M, String> name,
      Function<M, T> parser)
      implements XdsResourceType<T> {

    @Override
    public Parsed<T> parse(Any resource) {
      M message;
      try {
        message = resource.unpack(protoClass);
      } catch (InvalidProtocolBufferException e) {
        return Parsed.invalid(
            "", "cannot be decoded as " + protoClass.getSimpleName() + ": " + e.getMessage());
      }
      String resourceName = name.apply(message);
      if (resourceName.isEmpty()) {
        return Parsed.invalid("", "name: must not be empty");
      }
      try {
        return Parsed.valid(resourceName, parser.apply(message));
      } catch (FieldException e) {
        return Parsed.invalid(resourceName, e.getMessage());
      } catch (RuntimeException e) {
        return Parsed.invalid(resourceName, "cannot be used: " + e);
      }
    }
  }
}
