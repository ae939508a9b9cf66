package dev.weft.mesh.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import dev.weft.mesh.api.security.AuthorizationPolicy;
import dev.weft.mesh.testing.xds.RbacResources;
import dev.weft.mesh.xds.XdsValues.Listener;
import dev.weft.mesh.xds.internal.client.XdsResourceType;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC.Action;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher;
import io.envoyproxy.envoy.type.matcher.v3.PathMatcher;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.matcher.v3.ValueMatcher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Random chains of RBAC filters (nested and/or/not over principals, namespaces, paths, methods,
 * headers, metadata) judged two ways: by a direct evaluator of the RBAC protos written after
 * Envoy's and gRFC A41's rules, and by the real Authorizer on the translated policies. Every
 * request must get the same decision from both.
 */
class XdsRbacEquivalenceTest {
  static final XdsResourceTypes TYPES = new XdsResourceTypes(Map.of(), Set.of(RbacResources.NAME));
  static final String[] CALLERS = {
    null,
    "cluster.local/ns/default/sa/productpage",
    "cluster.local/ns/default/sa/reviews",
    "cluster.local/ns/foo/sa/ratings",
    "other.org/ns/foo-bar/sa/reviews"
  };
  static final String[] PATHS = {
    "/bookinfo.Reviews/Get", "/bookinfo.Reviews/Put", "/bookinfo.Ratings/Get", "/admin/Reset"
  };
  static final String[] METHODS = {"POST", "GET"};
  static final String[] HEADER_VALUES = {null, "1", "ab", "z"};

  record Request(String caller, String path, String method, String header) {}

  @Test
  void translatedPoliciesDecideEveryRequestAsTheRbacFiltersDo() {
    List<Request> requests = new ArrayList<>();
    for (String c : CALLERS) {
      for (String p : PATHS) {
        for (String m : METHODS) {
          for (String h : HEADER_VALUES) {
            requests.add(new Request(c, p, m, h));
          }
        }
      }
    }
    int translated = 0;
    for (long seed = 1; seed <= 400; seed++) {
      Random r = new Random(seed);
      List<HttpFilter> filters = new ArrayList<>();
      int n = 1 + r.nextInt(3);
      for (int i = 0; i < n; i++) {
        filters.add(filter(r, "rbac-" + i));
      }
      XdsResourceType.Parsed<Listener> parsed =
          TYPES.listeners.parse(
              Any.pack(RbacResources.serverListener(filters.toArray(HttpFilter[]::new))));
      if (!parsed.isValid()) {
        // Only the documented refusals may happen for this vocabulary.
        assertThat(parsed.error())
            .as("seed %d", seed)
            .containsAnyOf("no single Weft pattern expresses", "multiplies out");
        continue;
      }
      translated++;
      List<AuthorizationPolicy> policies = parsed.value().policies();
      for (Request q : requests) {
        Map<String, String> headers = q.header() == null ? Map.of() : Map.of("x-a", q.header());
        boolean weft =
            XdsRbacTranslationTest.decide(policies, q.caller(), q.path(), q.method(), headers)
                .allowed();
        assertThat(weft)
            .as("seed %d, %s, filters %s, policies %s", seed, q, filters, policies)
            .isEqualTo(chainAllows(filters, q));
      }
    }
    assertThat(translated).isGreaterThan(300);
  }

  // ---- random RBAC ----

  static HttpFilter filter(Random r, String name) {
    if (r.nextInt(8) == 0) {
      return RbacResources.rbac(name, RBAC.getDefaultInstance());
    }
    Action action =
        switch (r.nextInt(5)) {
          case 0, 1 -> Action.ALLOW;
          case 2, 3 -> Action.DENY;
          default -> Action.LOG;
        };
    Map<String, Policy> policies = new HashMap<>();
    int n = r.nextInt(3);
    for (int i = 0; i < n; i++) {
      Policy.Builder p = Policy.newBuilder();
      for (int j = 0, m = 1 + r.nextInt(2); j < m; j++) {
        p.addPermissions(permission(r, 2));
      }
      for (int j = 0, m = 1 + r.nextInt(2); j < m; j++) {
        p.addPrincipals(principal(r, 2));
      }
      policies.put("p" + i, p.build());
    }
    return RbacResources.rbac(name, action, policies);
  }

  static Permission permission(Random r, int depth) {
    int k = r.nextInt(depth > 0 ? 10 : 7);
    return switch (k) {
      case 0 -> Permission.newBuilder().setAny(true).build();
      case 1, 2 ->
          Permission.newBuilder()
              .setUrlPath(
                  PathMatcher.newBuilder()
                      .setPath(
                          stringMatcher(
                              r,
                              new String[] {"/bookinfo.Reviews/Get", "/admin/Reset"},
                              new String[] {"/bookinfo.Reviews/", "/admin/"},
                              new String[] {"/Get", "/Reset"})))
              .build();
      case 3 ->
          Permission.newBuilder()
              .setHeader(
                  HeaderMatcher.newBuilder()
                      .setName(":method")
                      .setStringMatch(StringMatcher.newBuilder().setExact(METHODS[r.nextInt(2)]))
                      .setInvertMatch(r.nextInt(4) == 0))
              .build();
      case 4, 5 -> Permission.newBuilder().setHeader(header(r)).build();
      case 6 -> Permission.newBuilder().setMetadata(metadata()).build();
      case 7 -> Permission.newBuilder().setNotRule(permission(r, depth - 1)).build();
      default -> {
        Permission.Set.Builder set = Permission.Set.newBuilder();
        for (int i = 0, m = 1 + r.nextInt(3); i < m; i++) {
          set.addRules(permission(r, depth - 1));
        }
        yield k == 8
            ? Permission.newBuilder().setAndRules(set).build()
            : Permission.newBuilder().setOrRules(set).build();
      }
    };
  }

  static Principal principal(Random r, int depth) {
    int k = r.nextInt(depth > 0 ? 10 : 7);
    return switch (k) {
      case 0 -> Principal.newBuilder().setAny(true).build();
      case 1, 2 ->
          Principal.newBuilder()
              .setAuthenticated(
                  Principal.Authenticated.newBuilder()
                      .setPrincipalName(
                          stringMatcher(
                              r,
                              new String[] {
                                "spiffe://cluster.local/ns/default/sa/productpage",
                                "spiffe://other.org/ns/foo-bar/sa/reviews"
                              },
                              new String[] {
                                "spiffe://cluster.local/ns/default/", "spiffe://other.org/"
                              },
                              new String[] {
                                "/sa/reviews", "/ratings", "//cluster.local/ns/foo/sa/ratings"
                              })))
              .build();
      case 3 -> {
        String ns = new String[] {"foo", "default", "foo.*", ".*bar", ".*"}[r.nextInt(5)];
        yield Principal.newBuilder()
            .setAuthenticated(
                Principal.Authenticated.newBuilder()
                    .setPrincipalName(
                        StringMatcher.newBuilder()
                            .setSafeRegex(
                                RegexMatcher.newBuilder().setRegex(".*/ns/" + ns + "/.*"))))
            .build();
      }
      case 4 ->
          Principal.newBuilder()
              .setAuthenticated(Principal.Authenticated.getDefaultInstance())
              .build();
      case 5 -> Principal.newBuilder().setHeader(header(r)).build();
      case 6 -> Principal.newBuilder().setMetadata(metadata()).build();
      case 7 -> Principal.newBuilder().setNotId(principal(r, depth - 1)).build();
      default -> {
        Principal.Set.Builder set = Principal.Set.newBuilder();
        for (int i = 0, m = 1 + r.nextInt(3); i < m; i++) {
          set.addIds(principal(r, depth - 1));
        }
        yield k == 8
            ? Principal.newBuilder().setAndIds(set).build()
            : Principal.newBuilder().setOrIds(set).build();
      }
    };
  }

  static StringMatcher stringMatcher(Random r, String[] exact, String[] prefix, String[] suffix) {
    return switch (r.nextInt(4)) {
      case 0 -> StringMatcher.newBuilder().setExact(exact[r.nextInt(exact.length)]).build();
      case 1 -> StringMatcher.newBuilder().setPrefix(prefix[r.nextInt(prefix.length)]).build();
      case 2 -> StringMatcher.newBuilder().setSuffix(suffix[r.nextInt(suffix.length)]).build();
      default ->
          StringMatcher.newBuilder()
              .setSafeRegex(RegexMatcher.newBuilder().setRegex(r.nextBoolean() ? ".+" : ".*"))
              .build();
    };
  }

  static HeaderMatcher header(Random r) {
    HeaderMatcher.Builder h =
        HeaderMatcher.newBuilder().setName("x-a").setInvertMatch(r.nextInt(3) == 0);
    switch (r.nextInt(4)) {
      case 0 -> h.setPresentMatch(r.nextInt(3) > 0);
      case 1 -> h.setStringMatch(StringMatcher.newBuilder().setExact("1"));
      case 2 -> h.setStringMatch(StringMatcher.newBuilder().setPrefix("a"));
      default -> h.setSuffixMatch("b");
    }
    return h.build();
  }

  static MetadataMatcher metadata() {
    return MetadataMatcher.newBuilder()
        .setFilter("istio_authn")
        .addPath(MetadataMatcher.PathSegment.newBuilder().setKey("request.auth.principal"))
        .setValue(
            ValueMatcher.newBuilder().setStringMatch(StringMatcher.newBuilder().setExact("x")))
        .build();
  }

  // ---- the reference: RBAC evaluated directly ----

  static boolean chainAllows(List<HttpFilter> filters, Request q) {
    for (HttpFilter f : filters) {
      RBAC rbac;
      try {
        rbac = f.getTypedConfig().unpack(RBAC.class);
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new IllegalStateException(e);
      }
      if (!rbac.hasRules() || rbac.getRules().getAction() == Action.LOG) {
        continue;
      }
      boolean matched =
          rbac.getRules().getPoliciesMap().values().stream()
              .anyMatch(
                  p ->
                      p.getPermissionsList().stream().anyMatch(x -> matches(x, q))
                          && p.getPrincipalsList().stream().anyMatch(x -> matches(x, q)));
      boolean pass = rbac.getRules().getAction() == Action.ALLOW ? matched : !matched;
      if (!pass) {
        return false;
      }
    }
    return true;
  }

  static boolean matches(Permission p, Request q) {
    return switch (p.getRuleCase()) {
      case ANY -> true;
      case URL_PATH -> matches(p.getUrlPath().getPath(), q.path());
      case HEADER -> matches(p.getHeader(), q);
      case METADATA -> false;
      case NOT_RULE -> !matches(p.getNotRule(), q);
      case AND_RULES -> p.getAndRules().getRulesList().stream().allMatch(x -> matches(x, q));
      case OR_RULES -> p.getOrRules().getRulesList().stream().anyMatch(x -> matches(x, q));
      default -> throw new IllegalArgumentException(p.getRuleCase().toString());
    };
  }

  static boolean matches(Principal p, Request q) {
    return switch (p.getIdentifierCase()) {
      case ANY -> true;
      case AUTHENTICATED ->
          q.caller() != null
              && (!p.getAuthenticated().hasPrincipalName()
                  || matches(p.getAuthenticated().getPrincipalName(), "spiffe://" + q.caller()));
      case HEADER -> matches(p.getHeader(), q);
      case METADATA -> false;
      case NOT_ID -> !matches(p.getNotId(), q);
      case AND_IDS -> p.getAndIds().getIdsList().stream().allMatch(x -> matches(x, q));
      case OR_IDS -> p.getOrIds().getIdsList().stream().anyMatch(x -> matches(x, q));
      default -> throw new IllegalArgumentException(p.getIdentifierCase().toString());
    };
  }

  static boolean matches(HeaderMatcher h, Request q) {
    String value =
        switch (h.getName()) {
          case ":method" -> q.method();
          case ":path" -> q.path();
          default -> q.header();
        };
    if (h.getHeaderMatchSpecifierCase() == HeaderMatcher.HeaderMatchSpecifierCase.PRESENT_MATCH) {
      return ((value != null) == h.getPresentMatch()) != h.getInvertMatch();
    }
    if (value == null) {
      return false;
    }
    boolean m =
        switch (h.getHeaderMatchSpecifierCase()) {
          case STRING_MATCH -> matches(h.getStringMatch(), value);
          case SUFFIX_MATCH -> value.endsWith(h.getSuffixMatch());
          default -> throw new IllegalArgumentException(h.toString());
        };
    return m != h.getInvertMatch();
  }

  static boolean matches(StringMatcher m, String value) {
    return switch (m.getMatchPatternCase()) {
      case EXACT -> value.equals(m.getExact());
      case PREFIX -> value.startsWith(m.getPrefix());
      case SUFFIX -> value.endsWith(m.getSuffix());
      case SAFE_REGEX -> value.matches(m.getSafeRegex().getRegex());
      default -> throw new IllegalArgumentException(m.toString());
    };
  }
}
