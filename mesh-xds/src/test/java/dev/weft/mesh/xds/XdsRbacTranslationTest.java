package dev.weft.mesh.xds;

import static dev.weft.mesh.testing.xds.RbacResources.andIds;
import static dev.weft.mesh.testing.xds.RbacResources.andRules;
import static dev.weft.mesh.testing.xds.RbacResources.anyPermission;
import static dev.weft.mesh.testing.xds.RbacResources.anyPrincipal;
import static dev.weft.mesh.testing.xds.RbacResources.header;
import static dev.weft.mesh.testing.xds.RbacResources.method;
import static dev.weft.mesh.testing.xds.RbacResources.namespace;
import static dev.weft.mesh.testing.xds.RbacResources.notId;
import static dev.weft.mesh.testing.xds.RbacResources.notRule;
import static dev.weft.mesh.testing.xds.RbacResources.orIds;
import static dev.weft.mesh.testing.xds.RbacResources.orRules;
import static dev.weft.mesh.testing.xds.RbacResources.path;
import static dev.weft.mesh.testing.xds.RbacResources.policy;
import static dev.weft.mesh.testing.xds.RbacResources.principal;
import static dev.weft.mesh.testing.xds.RbacResources.rbac;
import static dev.weft.mesh.testing.xds.RbacResources.serverListener;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import dev.weft.mesh.api.security.AuthorizationPolicy;
import dev.weft.mesh.api.security.SpiffeId;
import dev.weft.mesh.security.AuthorizationRequest;
import dev.weft.mesh.security.Authorizer;
import dev.weft.mesh.security.Decision;
import dev.weft.mesh.security.PeerIdentity;
import dev.weft.mesh.security.RequestHeaders;
import dev.weft.mesh.testing.certs.DevCertificateAuthority;
import dev.weft.mesh.testing.certs.DevCertificates;
import dev.weft.mesh.testing.xds.RbacResources;
import dev.weft.mesh.testing.xds.Resources;
import dev.weft.mesh.xds.XdsValues.Listener;
import dev.weft.mesh.xds.internal.client.XdsResourceType;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC.Action;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBACPerRoute;
import io.envoyproxy.envoy.type.matcher.v3.PathMatcher;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Server listeners with RBAC filters, translated into authorization policies and then judged by the
 * real {@link Authorizer} against requests: the decisions must be the ones gRFC A41 gives.
 */
class XdsRbacTranslationTest {
  static final XdsResourceTypes TYPES = new XdsResourceTypes(Map.of(), Set.of(RbacResources.NAME));
  static final DevCertificateAuthority CA = DevCertificates.newAuthority("rbac-test");
  static final String PRODUCTPAGE = "cluster.local/ns/default/sa/productpage";
  static final String REVIEWS = "cluster.local/ns/default/sa/reviews";
  static final String RATINGS_FOO = "cluster.local/ns/foo/sa/ratings";
  static final String ADMIN_OPS = "cluster.local/ns/ops-prod/sa/admin";
  static final String GET = "/bookinfo.Reviews/Get";
  static final String PUT = "/bookinfo.Reviews/Put";

  static List<AuthorizationPolicy> policies(io.envoyproxy.envoy.config.listener.v3.Listener l) {
    XdsResourceType.Parsed<Listener> p = TYPES.listeners.parse(Any.pack(l));
    assertThat(p.error()).as("parse error").isNull();
    assertThat(p.value().server()).isTrue();
    return p.value().policies();
  }

  static String error(io.envoyproxy.envoy.config.listener.v3.Listener l) {
    XdsResourceType.Parsed<Listener> p = TYPES.listeners.parse(Any.pack(l));
    assertThat(p.error()).as("expected a rejection").isNotNull();
    return p.error();
  }

  /** A gRPC call from {@code caller} (null: no verified identity). */
  static boolean allowed(
      List<AuthorizationPolicy> policies, String caller, String path, Map<String, String> headers) {
    return decide(policies, caller, path, "POST", headers).allowed();
  }

  static boolean allowed(List<AuthorizationPolicy> policies, String caller, String path) {
    return allowed(policies, caller, path, Map.of());
  }

  /**
   * One certificate per caller, minted once: key generation would otherwise dominate the
   * equivalence property.
   */
  private static final Map<String, PeerIdentity> PEERS =
      new java.util.concurrent.ConcurrentHashMap<>();

  static Decision decide(
      List<AuthorizationPolicy> policies,
      String caller,
      String path,
      String method,
      Map<String, String> headers) {
    Optional<PeerIdentity> peer =
        caller == null
            ? Optional.empty()
            : Optional.of(
                PEERS.computeIfAbsent(
                    caller,
                    c ->
                        new PeerIdentity(
                            SpiffeId.parse("spiffe://" + c),
                            CA.workload("spiffe://" + c).issue().certificate())));
    Map<String, List<String>> h = new HashMap<>();
    headers.forEach((k, v) -> h.put(k, List.of(v)));
    return Authorizer.of(policies)
        .authorize(new AuthorizationRequest(peer, path, method, RequestHeaders.of(h)));
  }

  static io.envoyproxy.envoy.config.listener.v3.Listener listener(
      Action action, String policyName, Policy policy) {
    return serverListener(rbac("envoy.filters.http.rbac", action, Map.of(policyName, policy)));
  }

  @Test
  void onlyProductpageMayCall() {
    List<AuthorizationPolicy> p =
        policies(
            listener(
                Action.ALLOW,
                "ns[default]-policy[reviews-viewer]-rule[0]",
                policy(List.of(anyPermission()), List.of(orIds(principal(PRODUCTPAGE))))));
    assertThat(p)
        .extracting(AuthorizationPolicy::name)
        .containsExactly("ns[default]-policy[reviews-viewer]-rule[0]");
    assertThat(allowed(p, PRODUCTPAGE, GET)).isTrue();
    assertThat(allowed(p, REVIEWS, GET)).isFalse();
    assertThat(allowed(p, null, GET)).isFalse();
    Decision d = decide(p, PRODUCTPAGE, GET, "POST", Map.of());
    assertThat(d.policy()).isEqualTo("ns[default]-policy[reviews-viewer]-rule[0]");
  }

  @Test
  void principalPrefixAndSuffixForms() {
    List<AuthorizationPolicy> p =
        policies(
            listener(
                Action.ALLOW,
                "p",
                policy(
                    List.of(anyPermission()),
                    List.of(
                        orIds(principal("cluster.local/ns/default/*"), principal("*/sa/admin"))))));
    assertThat(allowed(p, PRODUCTPAGE, GET)).isTrue();
    assertThat(allowed(p, ADMIN_OPS, GET)).isTrue();
    assertThat(allowed(p, RATINGS_FOO, GET)).isFalse();
    assertThat(allowed(p, "other.domain/ns/default/sa/x", GET)).isFalse();

    // A suffix that reaches into the scheme still matches the whole URI SAN, as in Envoy.
    Principal longSuffix =
        Principal.newBuilder()
            .setAuthenticated(
                Principal.Authenticated.newBuilder()
                    .setPrincipalName(StringMatcher.newBuilder().setSuffix("//" + PRODUCTPAGE)))
            .build();
    List<AuthorizationPolicy> q =
        policies(
            listener(Action.ALLOW, "p", policy(List.of(anyPermission()), List.of(longSuffix))));
    assertThat(allowed(q, PRODUCTPAGE, GET)).isTrue();
    assertThat(allowed(q, REVIEWS, GET)).isFalse();
  }

  @Test
  void denyUnauthenticated() {
    // Istio: action DENY, from.source.notPrincipals ["*"].
    List<AuthorizationPolicy> p =
        policies(
            listener(
                Action.DENY,
                "ns[default]-policy[require-mtls]-rule[0]",
                policy(List.of(anyPermission()), List.of(andIds(notId(orIds(principal("*"))))))));
    assertThat(p)
        .singleElement()
        .extracting(AuthorizationPolicy::action)
        .isEqualTo(AuthorizationPolicy.Action.DENY);
    assertThat(allowed(p, null, GET)).isFalse();
    assertThat(allowed(p, PRODUCTPAGE, GET)).isTrue();
    assertThat(allowed(p, RATINGS_FOO, PUT)).isTrue();
  }

  @Test
  void namespaceRules() {
    List<AuthorizationPolicy> p =
        policies(
            listener(
                Action.ALLOW,
                "p",
                policy(
                    List.of(anyPermission()),
                    List.of(orIds(namespace("foo"), namespace("ops-*"))))));
    assertThat(allowed(p, RATINGS_FOO, GET)).isTrue();
    assertThat(allowed(p, ADMIN_OPS, GET)).isTrue();
    assertThat(allowed(p, PRODUCTPAGE, GET)).isFalse();
    assertThat(allowed(p, null, GET)).isFalse();

    List<AuthorizationPolicy> notFoo =
        policies(
            listener(
                Action.DENY,
                "p",
                policy(List.of(anyPermission()), List.of(andIds(notId(orIds(namespace("foo"))))))));
    assertThat(allowed(notFoo, RATINGS_FOO, GET)).isTrue();
    assertThat(allowed(notFoo, PRODUCTPAGE, GET)).isFalse();
    assertThat(allowed(notFoo, null, GET)).isFalse();
  }

  @Test
  void methodAndPathWithNotPaths() {
    // Istio: to.operation {methods [POST], paths ["/bookinfo.Reviews/*"], notPaths
    // ["/bookinfo.Reviews/Put"]}.
    Permission perm =
        andRules(
            orRules(method("POST")),
            orRules(path("/bookinfo.Reviews/*")),
            notRule(orRules(path(PUT))));
    List<AuthorizationPolicy> p =
        policies(listener(Action.ALLOW, "p", policy(List.of(perm), List.of(anyPrincipal()))));
    assertThat(allowed(p, PRODUCTPAGE, GET)).isTrue();
    assertThat(allowed(p, null, GET)).isTrue();
    assertThat(allowed(p, PRODUCTPAGE, PUT)).isFalse();
    assertThat(allowed(p, PRODUCTPAGE, "/bookinfo.Ratings/Get")).isFalse();
    assertThat(decide(p, PRODUCTPAGE, GET, "GET", Map.of()).allowed()).isFalse();
  }

  @Test
  void principalsAndPermissionsAreAndedAndMultipliedOut() {
    // (GET or /admin*) and (productpage or namespace foo): four rules.
    Policy pol =
        policy(
            List.of(path(GET), path("/bookinfo.Admin/*")),
            List.of(principal(PRODUCTPAGE), namespace("foo")));
    List<AuthorizationPolicy> p = policies(listener(Action.ALLOW, "p", pol));
    assertThat(p.get(0).rules()).hasSize(4);
    assertThat(allowed(p, PRODUCTPAGE, GET)).isTrue();
    assertThat(allowed(p, RATINGS_FOO, "/bookinfo.Admin/Reset")).isTrue();
    assertThat(allowed(p, REVIEWS, GET)).isFalse();
    assertThat(allowed(p, PRODUCTPAGE, PUT)).isFalse();
  }

  @Test
  void headerConditions() {
    // Istio: when request.headers[x-tenant] in ["acme*"], notValues ["acme-blocked"].
    Permission perm =
        andRules(
            orRules(header("x-tenant", "acme*")),
            notRule(orRules(header("x-tenant", "acme-blocked"))));
    List<AuthorizationPolicy> p =
        policies(listener(Action.ALLOW, "p", policy(List.of(perm), List.of(anyPrincipal()))));
    assertThat(allowed(p, PRODUCTPAGE, GET, Map.of("x-tenant", "acme-eu"))).isTrue();
    assertThat(allowed(p, PRODUCTPAGE, GET, Map.of("x-tenant", "acme-blocked"))).isFalse();
    assertThat(allowed(p, PRODUCTPAGE, GET, Map.of("x-tenant", "globex"))).isFalse();
    assertThat(allowed(p, PRODUCTPAGE, GET)).isFalse();

    // An inverted matcher still needs the header: present and not matching.
    Permission inverted =
        Permission.newBuilder()
            .setHeader(
                HeaderMatcher.newBuilder()
                    .setName("x-env")
                    .setStringMatch(StringMatcher.newBuilder().setExact("prod"))
                    .setInvertMatch(true))
            .build();
    List<AuthorizationPolicy> inv =
        policies(listener(Action.ALLOW, "p", policy(List.of(inverted), List.of(anyPrincipal()))));
    assertThat(allowed(inv, PRODUCTPAGE, GET, Map.of("x-env", "dev"))).isTrue();
    assertThat(allowed(inv, PRODUCTPAGE, GET, Map.of("x-env", "prod"))).isFalse();
    assertThat(allowed(inv, PRODUCTPAGE, GET)).isFalse();

    // A present_match for "*".
    List<AuthorizationPolicy> present =
        policies(
            listener(
                Action.DENY,
                "p",
                policy(List.of(header("x-debug", "*")), List.of(anyPrincipal()))));
    assertThat(allowed(present, PRODUCTPAGE, GET, Map.of("x-debug", "1"))).isFalse();
    assertThat(allowed(present, PRODUCTPAGE, GET)).isTrue();
  }

  @Test
  void allowWithoutPoliciesDeniesEverythingAndAbsentRulesEnforceNothing() {
    List<AuthorizationPolicy> p =
        policies(serverListener(rbac("envoy.filters.http.rbac", Action.ALLOW, Map.of())));
    assertThat(p)
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.action()).isEqualTo(AuthorizationPolicy.Action.ALLOW);
              assertThat(x.rules()).isEmpty();
            });
    assertThat(allowed(p, PRODUCTPAGE, GET)).isFalse();
    assertThat(allowed(p, null, GET)).isFalse();

    List<AuthorizationPolicy> none =
        policies(serverListener(rbac("envoy.filters.http.rbac", RBAC.getDefaultInstance())));
    assertThat(none).isEmpty();
    assertThat(allowed(none, null, GET)).isTrue();

    List<AuthorizationPolicy> denyNone =
        policies(serverListener(rbac("envoy.filters.http.rbac", Action.DENY, Map.of())));
    assertThat(allowed(denyNone, null, GET)).isTrue();
  }

  @Test
  void logActionIsIgnored() {
    List<AuthorizationPolicy> p =
        policies(
            listener(
                Action.LOG,
                "p",
                policy(List.of(anyPermission()), List.of(principal(PRODUCTPAGE)))));
    assertThat(p).isEmpty();
    assertThat(allowed(p, REVIEWS, GET)).isTrue();
    // Ignored entirely: even what would be refused elsewhere.
    Permission port = Permission.newBuilder().setDestinationPort(8080).build();
    assertThat(policies(listener(Action.LOG, "p", policy(List.of(port), List.of(anyPrincipal())))))
        .isEmpty();
  }

  @Test
  void metadataNeverMatches() {
    Principal requestPrincipal =
        Principal.newBuilder()
            .setMetadata(
                io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher.newBuilder()
                    .setFilter("istio_authn")
                    .addPath(
                        io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher.PathSegment.newBuilder()
                            .setKey("request.auth.principal"))
                    .setValue(
                        io.envoyproxy.envoy.type.matcher.v3.ValueMatcher.newBuilder()
                            .setStringMatch(StringMatcher.newBuilder().setExact("x"))))
            .build();
    List<AuthorizationPolicy> p =
        policies(
            listener(
                Action.ALLOW, "p", policy(List.of(anyPermission()), List.of(requestPrincipal))));
    assertThat(allowed(p, PRODUCTPAGE, GET)).isFalse();
    List<AuthorizationPolicy> notP =
        policies(
            listener(
                Action.ALLOW,
                "p",
                policy(List.of(anyPermission()), List.of(notId(requestPrincipal)))));
    assertThat(allowed(notP, PRODUCTPAGE, GET)).isTrue();
  }

  @Test
  void denyAndAllowFiltersInOneChainMustBothPass() {
    io.envoyproxy.envoy.config.listener.v3.Listener l =
        serverListener(
            rbac(
                "rbac-deny",
                Action.DENY,
                Map.of("no-put", policy(List.of(path(PUT)), List.of(anyPrincipal())))),
            rbac(
                "rbac-allow",
                Action.ALLOW,
                Map.of(
                    "default-ns",
                    policy(List.of(anyPermission()), List.of(namespace("default"))))));
    List<AuthorizationPolicy> p = policies(l);
    assertThat(allowed(p, PRODUCTPAGE, GET)).isTrue();
    assertThat(allowed(p, PRODUCTPAGE, PUT)).isFalse();
    assertThat(allowed(p, RATINGS_FOO, GET)).isFalse();
  }

  @Test
  void twoAllowFiltersAreAndedExactly() {
    io.envoyproxy.envoy.config.listener.v3.Listener l =
        serverListener(
            rbac(
                "who",
                Action.ALLOW,
                Map.of(
                    "pp", policy(List.of(anyPermission()), List.of(principal(PRODUCTPAGE))),
                    "foo", policy(List.of(anyPermission()), List.of(namespace("foo"))))),
            rbac(
                "what",
                Action.ALLOW,
                Map.of("reads", policy(List.of(path("*/Get")), List.of(anyPrincipal())))));
    List<AuthorizationPolicy> p = policies(l);
    assertThat(p)
        .singleElement()
        .extracting(AuthorizationPolicy::name)
        .isEqualTo("allow-all-of[who,what]");
    assertThat(allowed(p, PRODUCTPAGE, GET)).isTrue();
    assertThat(allowed(p, RATINGS_FOO, GET)).isTrue();
    assertThat(allowed(p, PRODUCTPAGE, PUT)).isFalse();
    assertThat(allowed(p, REVIEWS, GET)).isFalse();
    assertThat(allowed(p, null, GET)).isFalse();
  }

  @Test
  void contradictoryPathsMakeARuleThatNeverMatches() {
    Permission both = andRules(path(GET), path(PUT));
    List<AuthorizationPolicy> p =
        policies(listener(Action.ALLOW, "p", policy(List.of(both), List.of(anyPrincipal()))));
    assertThat(p.get(0).rules()).isEmpty();
    assertThat(allowed(p, PRODUCTPAGE, GET)).isFalse();
    Permission narrowing = andRules(path("/bookinfo.Reviews/*"), path(GET));
    List<AuthorizationPolicy> q =
        policies(listener(Action.ALLOW, "p", policy(List.of(narrowing), List.of(anyPrincipal()))));
    assertThat(allowed(q, PRODUCTPAGE, GET)).isTrue();
    assertThat(allowed(q, PRODUCTPAGE, PUT)).isFalse();
  }

  @Test
  void aMissingServerListenerFilterChainRefusesEverything() {
    List<AuthorizationPolicy> p =
        policies(
            io.envoyproxy.envoy.config.listener.v3.Listener.newBuilder()
                .setName(RbacResources.NAME)
                .build());
    assertThat(allowed(p, PRODUCTPAGE, GET)).isFalse();
  }

  // ---- what has no exact translation is refused, naming the field ----

  static final String RULES =
      "filter_chains[0].filters[0].typed_config.http_filters[0].typed_config.rules";

  @Test
  void unsupportedPermissionFieldsAreNamed() {
    Permission port = Permission.newBuilder().setDestinationPort(8080).build();
    assertThat(
            error(
                listener(
                    Action.ALLOW,
                    "p",
                    policy(
                        List.of(anyPermission(), anyPermission(), port), List.of(anyPrincipal())))))
        .isEqualTo(
            RULES
                + ".policies['p'].permissions[2].destination_port: not supported: Weft's policies do not see the local port");
    Permission ip =
        Permission.newBuilder()
            .setDestinationIp(
                CidrRange.newBuilder().setAddressPrefix("10.0.0.0").setPrefixLen(UInt32Value.of(8)))
            .build();
    assertThat(
            error(
                listener(
                    Action.DENY,
                    "p",
                    policy(List.of(notRule(orRules(ip))), List.of(anyPrincipal())))))
        .startsWith(
            RULES
                + ".policies['p'].permissions[0].not_rule.or_rules.rules[0].destination_ip: not supported");
    Permission sni =
        Permission.newBuilder()
            .setRequestedServerName(StringMatcher.newBuilder().setExact("reviews"))
            .build();
    assertThat(error(listener(Action.ALLOW, "p", policy(List.of(sni), List.of(anyPrincipal())))))
        .startsWith(RULES + ".policies['p'].permissions[0].requested_server_name: not supported");
    Permission caseless =
        Permission.newBuilder()
            .setUrlPath(
                PathMatcher.newBuilder()
                    .setPath(StringMatcher.newBuilder().setExact(GET).setIgnoreCase(true)))
            .build();
    assertThat(
            error(listener(Action.ALLOW, "p", policy(List.of(caseless), List.of(anyPrincipal())))))
        .startsWith(
            RULES + ".policies['p'].permissions[0].url_path.path.ignore_case: not supported");
    Permission regexPath =
        Permission.newBuilder()
            .setUrlPath(
                PathMatcher.newBuilder()
                    .setPath(
                        StringMatcher.newBuilder()
                            .setSafeRegex(RegexMatcher.newBuilder().setRegex("/a|/b"))))
            .build();
    assertThat(
            error(listener(Action.ALLOW, "p", policy(List.of(regexPath), List.of(anyPrincipal())))))
        .startsWith(
            RULES + ".policies['p'].permissions[0].url_path.path.safe_regex: not supported");
    assertThat(
            error(
                listener(
                    Action.ALLOW,
                    "p",
                    policy(List.of(header("grpc-timeout", "1S")), List.of(anyPrincipal())))))
        .startsWith(
            RULES + ".policies['p'].permissions[0].header.name: 'grpc-timeout' may not be matched");
  }

  @Test
  void unsupportedPrincipalFieldsAreNamed() {
    Principal sourceIp =
        Principal.newBuilder()
            .setDirectRemoteIp(
                CidrRange.newBuilder()
                    .setAddressPrefix("10.0.0.1")
                    .setPrefixLen(UInt32Value.of(32)))
            .build();
    assertThat(
            error(
                listener(
                    Action.ALLOW,
                    "p",
                    policy(List.of(anyPermission()), List.of(principal(PRODUCTPAGE), sourceIp)))))
        .startsWith(RULES + ".policies['p'].principals[1].direct_remote_ip: not supported");
    Principal regex =
        Principal.newBuilder()
            .setAuthenticated(
                Principal.Authenticated.newBuilder()
                    .setPrincipalName(
                        StringMatcher.newBuilder()
                            .setSafeRegex(
                                RegexMatcher.newBuilder().setRegex("spiffe://.*/sa/(a|b)"))))
            .build();
    assertThat(error(listener(Action.ALLOW, "p", policy(List.of(anyPermission()), List.of(regex)))))
        .startsWith(
            RULES
                + ".policies['p'].principals[0].authenticated.principal_name.safe_regex: not supported");
    Principal dnsName =
        Principal.newBuilder()
            .setAuthenticated(
                Principal.Authenticated.newBuilder()
                    .setPrincipalName(StringMatcher.newBuilder().setExact("reviews.example.com")))
            .build();
    assertThat(
            error(listener(Action.ALLOW, "p", policy(List.of(anyPermission()), List.of(dnsName)))))
        .startsWith(
            RULES
                + ".policies['p'].principals[0].authenticated.principal_name.exact: not supported");
    Policy cel =
        policy(List.of(anyPermission()), List.of(anyPrincipal())).toBuilder()
            .setCondition(com.google.api.expr.v1alpha1.Expr.getDefaultInstance())
            .build();
    assertThat(error(listener(Action.ALLOW, "p", cel)))
        .startsWith(RULES + ".policies['p'].condition: CEL conditions are not supported");
  }

  @Test
  void perRouteOverridesDifferentChainsAndRdsAreRefused() {
    io.envoyproxy.envoy.config.listener.v3.Listener l =
        listener(Action.ALLOW, "p", policy(List.of(anyPermission()), List.of(anyPrincipal())));
    var hcm =
        Protos.unpack(
            l.getFilterChains(0).getFilters(0).getTypedConfig(),
            io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3
                .HttpConnectionManager.class,
            "");
    var rc = hcm.getRouteConfig().toBuilder();
    rc.getVirtualHostsBuilder(0)
        .getRoutesBuilder(0)
        .putTypedPerFilterConfig(
            "envoy.filters.http.rbac", Any.pack(RBACPerRoute.getDefaultInstance()));
    var overridden =
        l.toBuilder()
            .setFilterChains(0, RbacResources.chain(hcm.toBuilder().setRouteConfig(rc).build()))
            .build();
    assertThat(error(overridden))
        .startsWith(
            "filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes[0]"
                + ".typed_per_filter_config['envoy.filters.http.rbac']: not supported: per-route RBAC overrides");

    // a disabled RBAC filter is not enforced, so a route must not be able to turn it back on either
    var disabledFilter = hcm.getHttpFilters(0).toBuilder().setDisabled(true).build();
    var disabledButOverridden =
        l.toBuilder()
            .setFilterChains(
                0,
                RbacResources.chain(
                    hcm.toBuilder().setHttpFilters(0, disabledFilter).setRouteConfig(rc).build()))
            .build();
    assertThat(error(disabledButOverridden))
        .startsWith(
            "filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes[0]"
                + ".typed_per_filter_config['envoy.filters.http.rbac']: not supported: per-route RBAC overrides");

    var twoChains = l.toBuilder().addFilterChains(RbacResources.chain(RbacResources.hcm())).build();
    assertThat(error(twoChains))
        .startsWith(
            "filter_chains[1]: translates to authorization policies other than filter_chains[0]'s");
    var sameChains =
        l.toBuilder()
            .addFilterChains(l.getFilterChains(0))
            .setDefaultFilterChain(l.getFilterChains(0))
            .build();
    assertThat(policies(sameChains)).isEqualTo(policies(l));

    var rds =
        l.toBuilder()
            .setFilterChains(
                0,
                RbacResources.chain(
                    hcm.toBuilder()
                        .setRds(
                            io.envoyproxy.envoy.extensions.filters.network.http_connection_manager
                                .v3.Rds.newBuilder()
                                .setRouteConfigName("inbound"))
                        .build()))
            .build();
    assertThat(error(rds))
        .startsWith(
            "filter_chains[0].filters[0].typed_config.rds: not supported with RBAC filters");

    var clientShaped = Resources.rdsListener(RbacResources.NAME, "x");
    assertThat(error(clientShaped)).startsWith("api_listener: must be absent");
  }

  @Test
  void aPolicyThatMultipliesOutTooFarIsRefused() {
    // (a1|a2|a3|a4|a5|a6) and (b1..b6) and (c1..c6) and (d1..d6) = 1296 rules.
    Permission[] groups = new Permission[4];
    for (int g = 0; g < 4; g++) {
      Permission[] alternatives = new Permission[6];
      for (int i = 0; i < 6; i++) {
        alternatives[i] = header("x-" + g, "v" + i);
      }
      groups[g] = orRules(alternatives);
    }
    assertThat(
            error(
                listener(
                    Action.ALLOW, "p", policy(List.of(andRules(groups)), List.of(anyPrincipal())))))
        .contains("multiplies out to more than 1024 rules");
  }
}
