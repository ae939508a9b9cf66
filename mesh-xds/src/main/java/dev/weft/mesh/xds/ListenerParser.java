package dev.weft.mesh.xds;

import com.google.protobuf.Any;
import dev.weft.mesh.api.config.FaultInjection;
import dev.weft.mesh.xds.XdsValues.Listener;
import dev.weft.mesh.xds.XdsValues.RouteConfig;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.time.Duration;
import java.util.Set;

/**
 * Parses a client-side Listener: an api_listener holding an HttpConnectionManager with RDS or an
 * inline route configuration, and its HTTP filters (gRFC A39: a filter Weft does not know is an
 * error unless marked optional; the router filter must come last).
 */
final class ListenerParser {
  static final String HCM_TYPE =
      "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
  static final String ROUTER_TYPE =
      "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router";

  /**
   * Filters that are about servers or observability and change nothing about how a client routes.
   */
  private static final Set<String> IGNORED_FILTER_TYPES =
      Set.of(
          "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC",
          "type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors",
          "type.googleapis.com/envoy.extensions.filters.http.grpc_stats.v3.FilterConfig",
          "type.googleapis.com/envoy.extensions.filters.http.gcp_authn.v3.GcpAuthnFilterConfig");

  private ListenerParser() {}

  static Listener parse(io.envoyproxy.envoy.config.listener.v3.Listener l) {
    if (!l.hasApiListener() || !l.getApiListener().hasApiListener()) {
      throw FieldException.of(
          "api_listener", "is required: only client-side api_listeners are supported");
    }
    Any any = l.getApiListener().getApiListener();
    if (!any.getTypeUrl().equals(HCM_TYPE)) {
      throw FieldException.of(
          "api_listener.api_listener",
          "must be an HttpConnectionManager, was %s",
          any.getTypeUrl());
    }
    HttpConnectionManager hcm =
        Protos.unpack(any, HttpConnectionManager.class, "api_listener.api_listener");
    String f = "api_listener.api_listener";
    String rdsName = "";
    RouteConfig inline = null;
    switch (hcm.getRouteSpecifierCase()) {
      case RDS -> {
        if (hcm.getRds().getConfigSource().hasPath()
            || hcm.getRds().getConfigSource().hasApiConfigSource()) {
          throw FieldException.of(f + ".rds.config_source", "must be ads or self");
        }
        rdsName = hcm.getRds().getRouteConfigName();
        if (rdsName.isEmpty()) {
          throw FieldException.of(f + ".rds.route_config_name", "must not be empty");
        }
      }
      case ROUTE_CONFIG ->
          inline = RouteConfigParser.parse(hcm.getRouteConfig(), f + ".route_config.");
      default ->
          throw FieldException.of(
              f + ".route_specifier",
              "must be rds or route_config, was %s",
              hcm.getRouteSpecifierCase());
    }
    Duration maxStream = Duration.ZERO;
    if (hcm.hasCommonHttpProtocolOptions()
        && hcm.getCommonHttpProtocolOptions().hasMaxStreamDuration()) {
      maxStream =
          Protos.duration(
              hcm.getCommonHttpProtocolOptions().getMaxStreamDuration(),
              f + ".common_http_protocol_options.max_stream_duration");
    }
    String faultName = "";
    FaultInjection fault = FaultInjection.NONE;
    boolean router = false;
    for (int i = 0; i < hcm.getHttpFiltersCount(); i++) {
      HttpFilter filter = hcm.getHttpFilters(i);
      String ff = f + ".http_filters[" + i + "]";
      if (router) {
        throw FieldException.of(ff, "comes after the router filter, which must be last");
      }
      if (filter.hasConfigDiscovery()) {
        throw FieldException.of(ff + ".config_discovery", "is not supported");
      }
      String type = filter.getTypedConfig().getTypeUrl();
      if (type.equals(ROUTER_TYPE)) {
        router = true;
      } else if (type.equals(RouteConfigParser.FAULT_TYPE)) {
        faultName = filter.getName();
        fault =
            RouteConfigParser.fault(
                Protos.unpack(filter.getTypedConfig(), HTTPFault.class, ff + ".typed_config"),
                ff + ".typed_config");
      } else if (!IGNORED_FILTER_TYPES.contains(type) && !filter.getIsOptional()) {
        throw FieldException.of(
            ff + ".typed_config",
            "filter '%s' of type %s is not supported and not optional",
            filter.getName(),
            type);
      }
    }
    if (hcm.getHttpFiltersCount() > 0 && !router) {
      throw FieldException.of(f + ".http_filters", "must end with the router filter");
    }
    return new Listener(l.getName(), rdsName, inline, maxStream, faultName, fault);
  }
}
