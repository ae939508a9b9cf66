package dev.weft.mesh.xds;

import dev.weft.mesh.api.security.AuthorizationPolicy;
import dev.weft.mesh.api.security.PathNormalization;
import dev.weft.mesh.xds.XdsValues.Listener;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Parses the server Listener of this process (gRFC A36) for what Weft takes from it: the
 * authorization policies of its RBAC HTTP filters (gRFC A41).
 *
 * <p>Every filter chain must hold exactly one network filter, an HttpConnectionManager whose HTTP
 * filters are RBAC filters, optional filters, and the router last. Weft enforces one set of
 * policies for all the calls a process serves, so every chain (and the default chain) must
 * translate to the same policies; a listener without any chain refuses every call, as a gRPC server
 * would. Per-route RBAC overrides are refused. Filter chain matching, TLS settings and routing of
 * the server listener are not used: Weft servers get their TLS from their own builder.
 */
final class ServerListenerParser {
  /** HTTP filters that change nothing about who may call a server. */
  private static final Set<String> IGNORED_FILTER_TYPES =
      Set.of(
          "type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors",
          "type.googleapis.com/envoy.extensions.filters.http.grpc_stats.v3.FilterConfig");

  private ServerListenerParser() {}

  static Listener parse(io.envoyproxy.envoy.config.listener.v3.Listener l) {
    if (l.hasApiListener()) {
      throw FieldException.of(
          "api_listener",
          "must be absent: '%s' is the server listener of this process",
          l.getName());
    }
    Chain agreed = null;
    String first = null;
    for (int i = 0; i < l.getFilterChainsCount(); i++) {
      String f = "filter_chains[" + i + "]";
      Chain c = chain(l.getFilterChains(i), f);
      if (agreed == null) {
        agreed = c;
        first = f;
      } else {
        agreed.sameAs(c, f, first);
      }
    }
    if (l.hasDefaultFilterChain()) {
      Chain c = chain(l.getDefaultFilterChain(), "default_filter_chain");
      if (agreed != null) {
        agreed.sameAs(c, "default_filter_chain", first);
      }
      agreed = c;
    }
    if (agreed == null) {
      // No chain accepts a connection: nothing may be called.
      return Listener.server(
          l.getName(),
          List.of(AuthorizationPolicy.denyAll("no-filter-chain")),
          PathNormalization.DEFAULT);
    }
    return Listener.server(l.getName(), agreed.policies(), agreed.normalization());
  }

  /** What one filter chain enforces: its RBAC policies and its path normalization. */
  private record Chain(List<AuthorizationPolicy> policies, PathNormalization normalization) {
    void sameAs(Chain other, String f, String first) {
      if (!policies.equals(other.policies)) {
        throw FieldException.of(
            f,
            "translates to authorization policies other than %s's; Weft enforces one set for every "
                + "connection, so all filter chains must carry the same RBAC filters",
            first);
      }
      if (!normalization.equals(other.normalization)) {
        throw FieldException.of(
            f,
            "normalizes paths other than %s does; Weft normalizes every connection's paths one way,"
                + " so all filter chains must agree on merge_slashes and"
                + " path_with_escaped_slashes_action",
            first);
      }
    }
  }

  /**
   * The HttpConnectionManager's path settings as Weft's normalization: {@code merge_slashes}, and
   * {@code path_with_escaped_slashes_action} (its implementation-specific default is Weft's
   * default, refusing escaped slashes; a redirect is refused, as servers here do not redirect).
   * {@code normalize_path} needs no setting: Weft always normalizes, whatever it says.
   */
  private static PathNormalization normalization(HttpConnectionManager hcm, String hf) {
    PathNormalization.EscapedSlashes escaped =
        switch (hcm.getPathWithEscapedSlashesAction()) {
          case IMPLEMENTATION_SPECIFIC_DEFAULT -> PathNormalization.DEFAULT.escapedSlashes();
          case KEEP_UNCHANGED -> PathNormalization.EscapedSlashes.KEEP;
          case REJECT_REQUEST -> PathNormalization.EscapedSlashes.REJECT;
          case UNESCAPE_AND_FORWARD -> PathNormalization.EscapedSlashes.UNESCAPE;
          case UNESCAPE_AND_REDIRECT, UNRECOGNIZED ->
              throw FieldException.of(
                  hf + ".path_with_escaped_slashes_action",
                  "%s is not supported (use REJECT_REQUEST, KEEP_UNCHANGED or UNESCAPE_AND_FORWARD)",
                  hcm.getPathWithEscapedSlashesAction());
        };
    return new PathNormalization(hcm.getMergeSlashes(), escaped);
  }

  private static Chain chain(FilterChain chain, String f) {
    if (chain.getFiltersCount() != 1) {
      throw FieldException.of(
          f + ".filters",
          "must hold exactly one filter, an HttpConnectionManager; has %d",
          chain.getFiltersCount());
    }
    Filter filter = chain.getFilters(0);
    String ff = f + ".filters[0]";
    if (!filter.hasTypedConfig()
        || !filter.getTypedConfig().getTypeUrl().equals(ListenerParser.HCM_TYPE)) {
      throw FieldException.of(
          ff + ".typed_config",
          "must be an HttpConnectionManager, was %s",
          filter.hasTypedConfig() ? filter.getTypedConfig().getTypeUrl() : "absent");
    }
    String hf = ff + ".typed_config";
    HttpConnectionManager hcm =
        Protos.unpack(filter.getTypedConfig(), HttpConnectionManager.class, hf);
    // gRFC A41: peer addresses are only meaningful without forwarded-address processing.
    if (hcm.getXffNumTrustedHops() != 0) {
      throw FieldException.of(
          hf + ".xff_num_trusted_hops", "must be 0, was %d", hcm.getXffNumTrustedHops());
    }
    if (hcm.getOriginalIpDetectionExtensionsCount() > 0) {
      throw FieldException.of(hf + ".original_ip_detection_extensions", "must be empty");
    }
    List<RbacTranslator.Filter> rbac = new ArrayList<>();
    boolean router = false;
    Set<String> allRbacNames = new java.util.HashSet<>();
    for (int i = 0; i < hcm.getHttpFiltersCount(); i++) {
      HttpFilter h = hcm.getHttpFilters(i);
      String hff = hf + ".http_filters[" + i + "]";
      if (router) {
        throw FieldException.of(hff, "comes after the router filter, which must be last");
      }
      if (h.hasConfigDiscovery()) {
        throw FieldException.of(hff + ".config_discovery", "is not supported");
      }
      String type = h.getTypedConfig().getTypeUrl();
      if (type.equals(ListenerParser.ROUTER_TYPE)) {
        router = true;
      } else if (type.equals(RbacTranslator.RBAC_TYPE)) {
        allRbacNames.add(h.getName()); // a disabled one too: a route may turn it back on
        if (!h.getDisabled()) {
          rbac.add(
              new RbacTranslator.Filter(
                  h.getName(),
                  Protos.unpack(h.getTypedConfig(), RBAC.class, hff + ".typed_config"),
                  hff + ".typed_config"));
        }
      } else if (!IGNORED_FILTER_TYPES.contains(type) && !h.getIsOptional()) {
        throw FieldException.of(
            hff + ".typed_config",
            "filter '%s' of type %s is not supported on servers and not optional",
            h.getName(),
            type);
      }
    }
    if (hcm.getHttpFiltersCount() > 0 && !router) {
      throw FieldException.of(hf + ".http_filters", "must end with the router filter");
    }
    List<AuthorizationPolicy> policies = RbacTranslator.translate(rbac);
    if (!allRbacNames.isEmpty()) {
      Set<String> names = allRbacNames;
      switch (hcm.getRouteSpecifierCase()) {
        case ROUTE_CONFIG -> noOverrides(hcm.getRouteConfig(), names, hf + ".route_config");
        case RDS ->
            throw FieldException.of(
                hf + ".rds",
                "not supported with RBAC filters: Weft reads a server listener's "
                    + "route configuration only inline, to make sure no route overrides the RBAC filters");
        default -> {}
      }
    }
    return new Chain(policies, normalization(hcm, hf));
  }

  /**
   * Refuses per-route RBAC overrides (RBACPerRoute): Weft's policies are per server, not per route.
   */
  private static void noOverrides(RouteConfiguration rc, Set<String> rbacNames, String f) {
    for (int i = 0; i < rc.getVirtualHostsCount(); i++) {
      VirtualHost vh = rc.getVirtualHosts(i);
      String vf = f + ".virtual_hosts[" + i + "]";
      check(vh.getTypedPerFilterConfigMap().keySet(), rbacNames, vf);
      for (int j = 0; j < vh.getRoutesCount(); j++) {
        Route r = vh.getRoutes(j);
        check(r.getTypedPerFilterConfigMap().keySet(), rbacNames, vf + ".routes[" + j + "]");
      }
    }
  }

  private static void check(Set<String> overridden, Set<String> rbacNames, String f) {
    for (String name : overridden) {
      if (rbacNames.contains(name)) {
        throw FieldException.of(
            f + ".typed_per_filter_config['" + name + "']",
            "not supported: per-route RBAC overrides (RBACPerRoute); Weft enforces one set of policies per server");
      }
    }
  }
}
