package dev.weft.mesh.xds;

import static dev.weft.mesh.xds.NormalFormAlgebra.TRUE;
import static dev.weft.mesh.xds.NormalFormAlgebra.and;
import static dev.weft.mesh.xds.RbacNormalForms.normalForm;
import static dev.weft.mesh.xds.RbacNormalForms.unsupported;

import dev.weft.mesh.api.security.AuthorizationPolicy;
import dev.weft.mesh.api.security.AuthorizationPolicy.Action;
import dev.weft.mesh.api.security.AuthorizationPolicy.Condition;
import dev.weft.mesh.api.security.AuthorizationPolicy.Operation;
import dev.weft.mesh.api.security.AuthorizationPolicy.Rule;
import dev.weft.mesh.api.security.AuthorizationPolicy.Source;
import dev.weft.mesh.api.security.MatchPattern;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Translates the RBAC HTTP filters of a server listener's filter chain (gRFC A41) into {@link
 * AuthorizationPolicy} entries with exactly the same meaning, or throws a {@link FieldException}
 * naming the first field that has no exact translation.
 *
 * <p>Each RBAC policy ("any permission AND any principal") is rewritten into disjunctive normal
 * form over attribute tests (caller principal, caller namespace, path, method, header); each
 * conjunction becomes one {@link Rule}. The filters of one chain must all pass: DENY filters become
 * DENY policies, which the policy model already ANDs; the rules of several ALLOW filters are
 * multiplied out into one ALLOW policy, since the model ORs ALLOW policies.
 */
final class RbacTranslator {
  static final String RBAC_TYPE = "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC";

  /** Bounds the normal form: a policy that multiplies out to more rules than this is refused. */
  static final int MAX_RULES = 1024;

  private RbacTranslator() {}

  /** One RBAC filter of a chain, with the field path of its typed_config. */
  record Filter(String name, RBAC config, String field) {}

  /** What a test reads. */
  enum Attr {
    PRINCIPAL,
    NAMESPACE,
    PATH,
    METHOD,
    HEADER
  }

  /**
   * One test of the request, possibly negated: the attribute matches {@code pattern} (Weft's
   * pattern syntax: exact, {@code prefix*}, {@code *suffix}, {@code *} for present).
   */
  record Literal(Attr attr, String header, String pattern, boolean negated) {
    Literal negate() {
      return new Literal(attr, header, pattern, !negated);
    }
  }

  /** The policies the filters enforce together; empty when none of them enforces anything. */
  static List<AuthorizationPolicy> translate(List<Filter> filters) {
    List<AuthorizationPolicy> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    List<Filter> allowFilters = new ArrayList<>();
    List<List<List<Literal>>> allowForms = new ArrayList<>();
    for (Filter f : filters) {
      RBAC rbac = f.config();
      if (rbac.hasMatcher() || rbac.hasShadowMatcher()) {
        throw FieldException.of(
            f.field() + (rbac.hasMatcher() ? ".matcher" : ".shadow_matcher"),
            "is not supported (use rules)");
      }
      // gRFC A41: no rules means the filter enforces nothing; shadow rules only log; LOG enforces
      // nothing.
      if (!rbac.hasRules()) {
        continue;
      }
      io.envoyproxy.envoy.config.rbac.v3.RBAC rules = rbac.getRules();
      String rf = f.field() + ".rules";
      if (rules.getAction() == io.envoyproxy.envoy.config.rbac.v3.RBAC.Action.LOG) {
        continue; // gRFC A41: a LOG policy is ignored entirely, as if no RBAC filter were
        // configured
      }
      // audit_logging_options only observe decisions; they change none.
      Map<String, List<List<Literal>>> forms = new TreeMap<>();
      for (Map.Entry<String, Policy> e : new TreeMap<>(rules.getPoliciesMap()).entrySet()) {
        forms.put(e.getKey(), normalForm(e.getValue(), rf + ".policies['" + e.getKey() + "']"));
      }
      switch (rules.getAction()) {
        case DENY ->
            forms.forEach(
                (name, dnf) ->
                    out.add(
                        policy(
                            uniqueName(name, names),
                            Action.DENY,
                            dnf,
                            rf + ".policies['" + name + "']")));
        case ALLOW -> {
          allowFilters.add(f);
          List<List<Literal>> any = new ArrayList<>();
          forms.values().forEach(any::addAll);
          allowForms.add(any);
          if (allowFilters.size() == 1) {
            // Kept per policy so that decisions name the RBAC policy; replaced below if another
            // ALLOW filter follows.
            for (Map.Entry<String, List<List<Literal>>> e : forms.entrySet()) {
              out.add(
                  policy(
                      uniqueName(e.getKey(), names),
                      Action.ALLOW,
                      e.getValue(),
                      rf + ".policies['" + e.getKey() + "']"));
            }
            if (forms.isEmpty()) {
              // An ALLOW filter without policies allows nothing.
              out.add(AuthorizationPolicy.denyAll(uniqueName(sanitize(f.name()), names)));
            }
          }
        }
        default ->
            throw FieldException.of(rf + ".action", "%s is not supported", rules.getAction());
      }
    }
    if (allowFilters.size() > 1) {
      // Every ALLOW filter must allow: their forms multiply out into one ALLOW policy.
      out.removeIf(p -> p.action() == Action.ALLOW);
      List<List<Literal>> all = TRUE;
      String field = allowFilters.get(0).field();
      for (List<List<Literal>> form : allowForms) {
        all = and(all, form, field);
      }
      String name =
          "allow-all-of["
              + String.join(",", allowFilters.stream().map(f -> sanitize(f.name())).toList())
              + "]";
      out.add(policy(uniqueName(name, names), Action.ALLOW, all, field));
    }
    return out;
  }

  private static AuthorizationPolicy policy(
      String name, Action action, List<List<Literal>> dnf, String field) {
    List<Rule> rules = new ArrayList<>();
    for (List<Literal> conjunction : dnf) {
      Rule r = rule(conjunction, field);
      if (r != null && !rules.contains(r)) {
        rules.add(r);
      }
    }
    return FieldException.model(
        field, () -> new AuthorizationPolicy(name, List.of(), action, rules));
  }

  private static String uniqueName(String name, Set<String> taken) {
    String base = sanitize(name);
    String n = base;
    for (int i = 2; !taken.add(n); i++) {
      n = base + "#" + i;
    }
    return n;
  }

  private static String sanitize(String name) {
    String s = name.replaceAll("\\s", "_");
    return s.isEmpty() ? "rbac" : s;
  }

  // ---- one conjunction to one rule ----

  /** The rule for a conjunction of tests, or null when the tests can never all hold. */
  private static Rule rule(List<Literal> conjunction, String f) {
    List<String> principals = new ArrayList<>();
    List<String> notPrincipals = new ArrayList<>();
    List<String> namespaces = new ArrayList<>();
    List<String> notNamespaces = new ArrayList<>();
    List<String> paths = new ArrayList<>();
    List<String> notPaths = new ArrayList<>();
    List<String> methods = new ArrayList<>();
    List<String> notMethods = new ArrayList<>();
    List<Condition> when = new ArrayList<>();
    for (Literal l : conjunction) {
      switch (l.attr()) {
        case PRINCIPAL -> (l.negated() ? notPrincipals : principals).add(l.pattern());
        case NAMESPACE -> (l.negated() ? notNamespaces : namespaces).add(l.pattern());
        case PATH -> (l.negated() ? notPaths : paths).add(l.pattern());
        case METHOD -> (l.negated() ? notMethods : methods).add(l.pattern());
        case HEADER ->
            when.add(
                new Condition(
                    "request.headers[" + l.header() + "]",
                    l.negated() ? List.of() : List.of(l.pattern()),
                    l.negated() ? List.of(l.pattern()) : List.of()));
      }
    }
    // A field lists alternatives, so every positive test past the first becomes a condition (AND).
    for (int i = 1; i < principals.size(); i++) {
      when.add(new Condition("source.principal", List.of(principals.get(i)), List.of()));
    }
    for (int i = 1; i < namespaces.size(); i++) {
      when.add(new Condition("source.namespace", List.of(namespaces.get(i)), List.of()));
    }
    Intersection pathTest = intersect(paths, f, "paths");
    Intersection methodTest = intersect(methods, f, "methods");
    if (pathTest.unsatisfiable() || methodTest.unsatisfiable()) {
      return null;
    }
    String path = pathTest.pattern();
    String method = methodTest.pattern();
    List<Source> from = List.of();
    if (!principals.isEmpty()
        || !notPrincipals.isEmpty()
        || !namespaces.isEmpty()
        || !notNamespaces.isEmpty()) {
      from =
          List.of(new Source(first(principals), notPrincipals, first(namespaces), notNamespaces));
    }
    List<Operation> to = List.of();
    if (path != null || method != null || !notPaths.isEmpty() || !notMethods.isEmpty()) {
      to =
          List.of(
              new Operation(
                  path == null ? List.of() : List.of(path),
                  notPaths,
                  method == null ? List.of() : List.of(method),
                  notMethods));
    }
    return new Rule(from, to, when);
  }

  private static List<String> first(List<String> values) {
    return values.isEmpty() ? List.of() : List.of(values.get(0));
  }

  /**
   * What several positive tests of one attribute come to.
   *
   * @param pattern one pattern matching exactly what all the tests match, or null for no test
   * @param unsatisfiable whether no value can pass all the tests
   */
  private record Intersection(String pattern, boolean unsatisfiable) {
    static final Intersection NONE = new Intersection(null, true);
  }

  /**
   * Intersects {@code patterns} (paths and methods are never empty, so {@code *} is always true).
   */
  private static Intersection intersect(List<String> patterns, String f, String what) {
    MatchPattern acc = null;
    for (String written : patterns) {
      MatchPattern p = MatchPattern.parse(written);
      if (acc == null || acc.equals(p) || p.kind() == MatchPattern.Kind.PRESENT) {
        acc = acc == null ? p : acc;
        continue;
      }
      if (acc.kind() == MatchPattern.Kind.PRESENT) {
        acc = p;
        continue;
      }
      if (acc.kind() == MatchPattern.Kind.EXACT) {
        if (!p.matches(acc.text())) {
          return Intersection.NONE;
        }
      } else if (p.kind() == MatchPattern.Kind.EXACT) {
        if (!acc.matches(p.text())) {
          return Intersection.NONE;
        }
        acc = p;
      } else if (acc.kind() == p.kind()) {
        // two prefixes (or two suffixes): one must extend the other, and the longer one decides
        String a = acc.text();
        String b = p.text();
        boolean nested =
            acc.kind() == MatchPattern.Kind.PREFIX
                ? a.startsWith(b) || b.startsWith(a)
                : a.endsWith(b) || b.endsWith(a);
        if (!nested) {
          return Intersection.NONE;
        }
        acc = a.length() >= b.length() ? acc : p;
      } else {
        throw unsupported(
            f,
            "a rule needs %s to match both '%s' and '%s', which no single Weft pattern expresses",
            what,
            acc,
            p);
      }
    }
    return new Intersection(acc == null ? null : acc.toString(), false);
  }
}
