package dev.weft.mesh.testing.xds;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.NonForwardingAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.matcher.v3.PathMatcher;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.List;
import java.util.Map;

/**
 * Server listeners with RBAC filters shaped like those Istio generates for proxyless gRPC servers
 * from AuthorizationPolicy resources (principals as URI SAN matchers, namespaces as regexes,
 * methods as {@code :method} headers, paths as {@code url_path}, negations as {@code not_rule}).
 */
public final class RbacResources {
  public static final String TEMPLATE = "xds.istio.io/grpc/lds/inbound/%s";
  public static final String ADDRESS = "0.0.0.0:9080";
  public static final String NAME = "xds.istio.io/grpc/lds/inbound/0.0.0.0:9080";

  private RbacResources() {}

  /**
   * Istio's principal forms: {@code *} as ".+", {@code x*} and exact with spiffe://, {@code *x} as
   * a suffix.
   */
  public static Principal principal(String istio) {
    StringMatcher m;
    if (istio.equals("*")) {
      m = StringMatcher.newBuilder().setSafeRegex(RegexMatcher.newBuilder().setRegex(".+")).build();
    } else if (istio.startsWith("*")) {
      m = StringMatcher.newBuilder().setSuffix(istio.substring(1)).build();
    } else if (istio.endsWith("*")) {
      m =
          StringMatcher.newBuilder()
              .setPrefix("spiffe://" + istio.substring(0, istio.length() - 1))
              .build();
    } else {
      m = StringMatcher.newBuilder().setExact("spiffe://" + istio).build();
    }
    return Principal.newBuilder()
        .setAuthenticated(Principal.Authenticated.newBuilder().setPrincipalName(m))
        .build();
  }

  public static Principal namespace(String ns) {
    StringMatcher m =
        StringMatcher.newBuilder()
            .setSafeRegex(
                RegexMatcher.newBuilder().setRegex(".*/ns/" + ns.replace("*", ".*") + "/.*"))
            .build();
    return Principal.newBuilder()
        .setAuthenticated(Principal.Authenticated.newBuilder().setPrincipalName(m))
        .build();
  }

  public static Principal anyPrincipal() {
    return Principal.newBuilder().setAny(true).build();
  }

  public static Principal orIds(Principal... ids) {
    return Principal.newBuilder()
        .setOrIds(Principal.Set.newBuilder().addAllIds(List.of(ids)))
        .build();
  }

  public static Principal andIds(Principal... ids) {
    return Principal.newBuilder()
        .setAndIds(Principal.Set.newBuilder().addAllIds(List.of(ids)))
        .build();
  }

  public static Principal notId(Principal id) {
    return Principal.newBuilder().setNotId(id).build();
  }

  public static Permission method(String method) {
    return header(":method", method);
  }

  /**
   * A header matcher as Istio writes one: {@code *} is present_match, {@code x*} a prefix, {@code
   * *x} a suffix.
   */
  public static Permission header(String name, String istio) {
    return Permission.newBuilder().setHeader(headerMatcher(name, istio)).build();
  }

  public static HeaderMatcher headerMatcher(String name, String istio) {
    HeaderMatcher.Builder h = HeaderMatcher.newBuilder().setName(name);
    if (istio.equals("*")) {
      h.setPresentMatch(true);
    } else if (istio.startsWith("*")) {
      h.setStringMatch(StringMatcher.newBuilder().setSuffix(istio.substring(1)));
    } else if (istio.endsWith("*")) {
      h.setStringMatch(
          StringMatcher.newBuilder().setPrefix(istio.substring(0, istio.length() - 1)));
    } else {
      h.setStringMatch(StringMatcher.newBuilder().setExact(istio));
    }
    return h.build();
  }

  public static Permission path(String istio) {
    StringMatcher m;
    if (istio.equals("*")) {
      m = StringMatcher.newBuilder().setSafeRegex(RegexMatcher.newBuilder().setRegex(".+")).build();
    } else if (istio.endsWith("*")) {
      m = StringMatcher.newBuilder().setPrefix(istio.substring(0, istio.length() - 1)).build();
    } else if (istio.startsWith("*")) {
      m = StringMatcher.newBuilder().setSuffix(istio.substring(1)).build();
    } else {
      m = StringMatcher.newBuilder().setExact(istio).build();
    }
    return Permission.newBuilder().setUrlPath(PathMatcher.newBuilder().setPath(m)).build();
  }

  public static Permission anyPermission() {
    return Permission.newBuilder().setAny(true).build();
  }

  public static Permission orRules(Permission... rules) {
    return Permission.newBuilder()
        .setOrRules(Permission.Set.newBuilder().addAllRules(List.of(rules)))
        .build();
  }

  public static Permission andRules(Permission... rules) {
    return Permission.newBuilder()
        .setAndRules(Permission.Set.newBuilder().addAllRules(List.of(rules)))
        .build();
  }

  public static Permission notRule(Permission rule) {
    return Permission.newBuilder().setNotRule(rule).build();
  }

  public static Policy policy(List<Permission> permissions, List<Principal> principals) {
    return Policy.newBuilder().addAllPermissions(permissions).addAllPrincipals(principals).build();
  }

  public static HttpFilter rbac(
      String filterName, RBAC.Action action, Map<String, Policy> policies) {
    RBAC rules = RBAC.newBuilder().setAction(action).putAllPolicies(policies).build();
    return rbac(
        filterName,
        io.envoyproxy
            .envoy
            .extensions
            .filters
            .http
            .rbac
            .v3
            .RBAC
            .newBuilder()
            .setRules(rules)
            .build());
  }

  public static HttpFilter rbac(
      String filterName, io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC config) {
    return HttpFilter.newBuilder().setName(filterName).setTypedConfig(Any.pack(config)).build();
  }

  public static HttpConnectionManager hcm(HttpFilter... filters) {
    RouteConfiguration rc =
        RouteConfiguration.newBuilder()
            .setName("inbound|9080||")
            .addVirtualHosts(
                VirtualHost.newBuilder()
                    .setName("inbound|http|9080")
                    .addDomains("*")
                    .addRoutes(
                        Route.newBuilder()
                            .setName("default")
                            .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                            .setNonForwardingAction(NonForwardingAction.getDefaultInstance())))
            .build();
    HttpConnectionManager.Builder b =
        HttpConnectionManager.newBuilder().setStatPrefix("inbound").setRouteConfig(rc);
    for (HttpFilter f : filters) {
      b.addHttpFilters(f);
    }
    b.addHttpFilters(
        HttpFilter.newBuilder()
            .setName("envoy.filters.http.router")
            .setTypedConfig(Any.pack(Router.getDefaultInstance())));
    return b.build();
  }

  public static FilterChain chain(HttpConnectionManager hcm) {
    return FilterChain.newBuilder()
        .setName("inbound-chain")
        .addFilters(
            Filter.newBuilder()
                .setName("envoy.filters.network.http_connection_manager")
                .setTypedConfig(Any.pack(hcm)))
        .build();
  }

  /**
   * The server listener Istio would send for port 9080, with one filter chain holding {@code
   * filters}.
   */
  public static Listener serverListener(HttpFilter... filters) {
    return Listener.newBuilder()
        .setName(NAME)
        .setAddress(
            Address.newBuilder()
                .setSocketAddress(
                    SocketAddress.newBuilder().setAddress("0.0.0.0").setPortValue(9080)))
        .addFilterChains(chain(hcm(filters)))
        .build();
  }
}
