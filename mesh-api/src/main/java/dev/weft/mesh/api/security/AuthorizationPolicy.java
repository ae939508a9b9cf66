package dev.weft.mesh.api.security;

import dev.weft.mesh.api.internal.Checks;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Who may call what on a server in the mesh, after Istio's {@code AuthorizationPolicy} (the {@code
 * ALLOW} and {@code DENY} actions). Evaluation across all policies that apply to a server:
 *
 * <ol>
 *   <li>if any {@code DENY} policy matches the request, it is denied;
 *   <li>otherwise, if there is no {@code ALLOW} policy, it is allowed;
 *   <li>otherwise it is allowed if some {@code ALLOW} policy matches, and denied if none does.
 * </ol>
 *
 * A policy matches when any of its rules matches; a policy with no rules matches nothing (so an
 * {@code ALLOW} policy without rules denies everything). A rule with nothing in it matches every
 * request.
 *
 * <p>Every record here validates in its constructor and throws {@link
 * dev.weft.mesh.api.config.InvalidConfigException} listing every problem with its field path.
 *
 * <p>Strings in principals, namespaces, paths, methods and condition values match exactly, as a
 * prefix ({@code "abc*"}), as a suffix ({@code "*abc"}), or as "present and non-empty" ({@code
 * "*"}). Principals are SPIFFE IDs; they may be written with or without {@code spiffe://} ({@code
 * weft.test/ns/default/sa/productpage} is Istio's form).
 *
 * @param name names the policy in decisions and audit records; non-blank, no white space
 * @param services the server-side services (names callers address) this policy protects; empty
 *     protects every service the process serves
 * @param action what a match does
 * @param rules the rules, any of which makes the policy match
 */
public record AuthorizationPolicy(
    String name, List<String> services, Action action, List<Rule> rules) {

  public AuthorizationPolicy {
    services = Checks.list(services);
    rules = Checks.list(rules);
    Checks v = Checks.start();
    if (v.notNull(name, "name")) {
      if (name.isBlank() || name.chars().anyMatch(Character::isWhitespace)) {
        v.add("name", "must be non-blank with no white space, was '" + name + "'");
      }
    }
    v.elementsNotNull(services, "services");
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < services.size(); i++) {
      String s = services.get(i);
      if (s != null && (s.isBlank() || !seen.add(s))) {
        v.add(
            "services[" + i + "]",
            s.isBlank() ? "must not be blank" : "duplicate service '" + s + "'");
      }
    }
    v.notNull(action, "action");
    v.elementsNotNull(rules, "rules");
    v.throwIfAny();
  }

  /** A policy for every service of the process. */
  public static AuthorizationPolicy of(String name, Action action, Rule... rules) {
    return new AuthorizationPolicy(name, List.of(), action, List.of(rules));
  }

  /**
   * A policy that denies every request of every service: an {@code ALLOW} policy without rules,
   * like Istio's {@code spec: {}}. Used while a server has no policies it can trust yet.
   */
  public static AuthorizationPolicy denyAll(String name) {
    return new AuthorizationPolicy(name, List.of(), Action.ALLOW, List.of());
  }

  /** This policy limited to {@code services}. */
  public AuthorizationPolicy forServices(String... serviceNames) {
    return new AuthorizationPolicy(name, List.of(serviceNames), action, rules);
  }

  /** Whether this policy protects {@code service} (always, when {@link #services()} is empty). */
  public boolean appliesTo(String service) {
    return services.isEmpty() || services.contains(service);
  }

  /** What a matching policy does. */
  public enum Action {
    /** Allows a matching request (unless a DENY policy matches too). */
    ALLOW,
    /** Denies a matching request. */
    DENY
  }

  /**
   * One rule: matches when the request comes from one of {@code from} (or {@code from} is empty),
   * goes to one of {@code to} (or {@code to} is empty), and meets every condition in {@code when}.
   *
   * @param from the sources, any of which may match
   * @param to the operations, any of which may match
   * @param when the conditions, all of which must hold
   */
  public record Rule(List<Source> from, List<Operation> to, List<Condition> when) {
    /** A rule that matches every request. */
    public static final Rule ANY = new Rule(List.of(), List.of(), List.of());

    public Rule {
      from = Checks.list(from);
      to = Checks.list(to);
      when = Checks.list(when);
      Checks v = Checks.start();
      v.elementsNotNull(from, "from");
      v.elementsNotNull(to, "to");
      v.elementsNotNull(when, "when");
      v.throwIfAny();
    }

    /** A rule on sources only. */
    public static Rule from(Source... sources) {
      return new Rule(List.of(sources), List.of(), List.of());
    }

    /** This rule with {@code operations} as its targets. */
    public Rule to(Operation... operations) {
      return new Rule(from, List.of(operations), when);
    }

    /** This rule with {@code conditions} added. */
    public Rule when(Condition... conditions) {
      List<Condition> all = new java.util.ArrayList<>(when);
      all.addAll(List.of(conditions));
      return new Rule(from, to, all);
    }
  }

  /**
   * Where a request comes from. Every non-empty field must match (each field matches when any of
   * its values does; a {@code not} field matches when none of its values does). At least one field
   * must be set. A request without a verified peer identity has an empty principal and namespace:
   * it matches {@code notPrincipals: ["*"]} and never {@code principals}.
   *
   * @param principals the caller's SPIFFE IDs
   * @param notPrincipals SPIFFE IDs the caller must not have
   * @param namespaces the caller's namespaces, read from its SPIFFE ID ({@code /ns/NAMESPACE/...})
   * @param notNamespaces namespaces the caller must not be in
   * @param requestPrincipals the end user's request principals, {@code ISSUER/SUBJECT} from a token
   *     a {@link RequestAuthentication} verified; {@code "*"} requires a verified token
   * @param notRequestPrincipals request principals the request must not have; {@code ["*"]} matches
   *     requests without a verified token
   */
  public record Source(
      List<String> principals,
      List<String> notPrincipals,
      List<String> namespaces,
      List<String> notNamespaces,
      List<String> requestPrincipals,
      List<String> notRequestPrincipals) {
    public Source {
      principals = Checks.list(principals);
      notPrincipals = Checks.list(notPrincipals);
      namespaces = Checks.list(namespaces);
      notNamespaces = Checks.list(notNamespaces);
      requestPrincipals = Checks.list(requestPrincipals);
      notRequestPrincipals = Checks.list(notRequestPrincipals);
      Checks v = Checks.start();
      v.patterns(principals, "principals");
      v.patterns(notPrincipals, "notPrincipals");
      v.patterns(namespaces, "namespaces");
      v.patterns(notNamespaces, "notNamespaces");
      v.patterns(requestPrincipals, "requestPrincipals");
      v.patterns(notRequestPrincipals, "notRequestPrincipals");
      if (principals.isEmpty()
          && notPrincipals.isEmpty()
          && namespaces.isEmpty()
          && notNamespaces.isEmpty()
          && requestPrincipals.isEmpty()
          && notRequestPrincipals.isEmpty()) {
        v.add(
            "",
            "a source needs at least one of principals, notPrincipals, namespaces, notNamespaces,"
                + " requestPrincipals, notRequestPrincipals");
      }
      v.throwIfAny();
    }

    /** A source on the caller's workload identity only. */
    public Source(
        List<String> principals,
        List<String> notPrincipals,
        List<String> namespaces,
        List<String> notNamespaces) {
      this(principals, notPrincipals, namespaces, notNamespaces, List.of(), List.of());
    }

    /** Callers with one of these SPIFFE IDs (patterns allowed). */
    public static Source principals(String... principals) {
      return new Source(List.of(principals), List.of(), List.of(), List.of());
    }

    /** Callers in one of these namespaces (patterns allowed). */
    public static Source namespaces(String... namespaces) {
      return new Source(List.of(), List.of(), List.of(namespaces), List.of());
    }

    /**
     * Requests whose verified token has one of these request principals ({@code ISSUER/SUBJECT},
     * patterns allowed; {@code "*"} for any verified token).
     */
    public static Source requestPrincipals(String... requestPrincipals) {
      return new Source(
          List.of(), List.of(), List.of(), List.of(), List.of(requestPrincipals), List.of());
    }
  }

  /**
   * What a request asks for. Every non-empty field must match; at least one must be set.
   *
   * @param paths HTTP paths (without the query) or gRPC methods as {@code /package.Service/Method};
   *     for example {@code /reviews*} or {@code /bookinfo.Reviews/*}
   * @param notPaths paths the request must not have
   * @param methods HTTP methods such as {@code GET} (gRPC calls are {@code POST})
   * @param notMethods methods the request must not have
   */
  public record Operation(
      List<String> paths, List<String> notPaths, List<String> methods, List<String> notMethods) {
    public Operation {
      paths = Checks.list(paths);
      notPaths = Checks.list(notPaths);
      methods = Checks.list(methods);
      notMethods = Checks.list(notMethods);
      Checks v = Checks.start();
      v.patterns(paths, "paths");
      v.patterns(notPaths, "notPaths");
      v.patterns(methods, "methods");
      v.patterns(notMethods, "notMethods");
      if (paths.isEmpty() && notPaths.isEmpty() && methods.isEmpty() && notMethods.isEmpty()) {
        v.add("", "an operation needs at least one of paths, notPaths, methods, notMethods");
      }
      v.throwIfAny();
    }

    /** Requests to one of these paths (patterns allowed). */
    public static Operation paths(String... paths) {
      return new Operation(List.of(paths), List.of(), List.of(), List.of());
    }

    /** Requests with one of these methods (patterns allowed). */
    public static Operation methods(String... methods) {
      return new Operation(List.of(), List.of(), List.of(methods), List.of());
    }
  }

  /**
   * A condition on an attribute of the request: it holds when the attribute matches one of {@code
   * values} (if any are given) and none of {@code notValues}. Supported keys: {@code
   * request.headers[NAME]} (a request header or gRPC metadata key, any of whose values may match;
   * {@code "*"} means present), {@code source.principal} and {@code source.namespace}, and, from a
   * token a {@link RequestAuthentication} verified: {@code request.auth.principal} ({@code
   * ISSUER/SUBJECT}), {@code request.auth.audiences} (any of the token's audiences may match),
   * {@code request.auth.presenter} (its {@code azp}) and {@code request.auth.claims[NAME]} (a
   * claim, nested as {@code request.auth.claims[NAME][INNER]}; a string claim, or any element of a
   * list of strings, may match). A request without a verified token has none of the {@code
   * request.auth} attributes: a {@code values} condition on them does not hold, a {@code notValues}
   * one does.
   *
   * @param key the attribute
   * @param values values any of which must match
   * @param notValues values none of which may match
   */
  public record Condition(String key, List<String> values, List<String> notValues) {
    /** The keys a condition may use. */
    public static final List<String> SUPPORTED_KEYS =
        List.of(
            "request.headers[NAME]",
            "source.principal",
            "source.namespace",
            "request.auth.principal",
            "request.auth.audiences",
            "request.auth.presenter",
            "request.auth.claims[NAME]");

    private static final List<String> PLAIN_KEYS =
        List.of(
            "source.principal",
            "source.namespace",
            "request.auth.principal",
            "request.auth.audiences",
            "request.auth.presenter");

    public Condition {
      values = Checks.list(values);
      notValues = Checks.list(notValues);
      Checks v = Checks.start();
      if (v.notNull(key, "key")
          && headerName(key) == null
          && claimPath(key) == null
          && !PLAIN_KEYS.contains(key)) {
        v.add("key", "'" + key + "' is not supported; supported keys: " + SUPPORTED_KEYS);
      }
      String header = key == null ? null : headerName(key);
      if (header != null && header.startsWith(":") && !header.equals(":authority")) {
        // the other pseudo-headers are the request line: a header condition on them would never
        // match
        v.add(
            "key",
            "'"
                + key
                + "' is not supported: of the pseudo-headers only :authority (the Host header) is;"
                + " match :path and :method with an operation's paths and methods");
      }
      v.patterns(values, "values");
      v.patterns(notValues, "notValues");
      if (values.isEmpty() && notValues.isEmpty()) {
        v.add("", "a condition needs values or notValues");
      }
      v.throwIfAny();
    }

    /** A condition on a request header. */
    public static Condition header(String name, String... values) {
      return new Condition("request.headers[" + name + "]", List.of(values), List.of());
    }

    /** The header this condition reads, in lower case, or null when its key is not a header key. */
    public String headerName() {
      return headerName(key);
    }

    /**
     * The claim this condition reads, as the names from the outermost claim inward ({@code
     * request.auth.claims[realm][role]} is {@code [realm, role]}), or null when its key is not a
     * claim key.
     */
    public List<String> claimPath() {
      return key == null ? null : claimPath(key);
    }

    private static List<String> claimPath(String key) {
      String prefix = "request.auth.claims";
      if (!key.startsWith(prefix) || key.length() == prefix.length()) {
        return null;
      }
      List<String> names = new java.util.ArrayList<>();
      int i = prefix.length();
      while (i < key.length()) {
        if (key.charAt(i) != '[') {
          return null;
        }
        int close = key.indexOf(']', i);
        if (close < 0) {
          return null;
        }
        String name = key.substring(i + 1, close);
        if (name.isEmpty() || name.indexOf('[') >= 0) {
          return null;
        }
        names.add(name);
        i = close + 1;
      }
      return List.copyOf(names);
    }

    private static String headerName(String key) {
      String prefix = "request.headers[";
      if (key.startsWith(prefix) && key.endsWith("]") && key.length() > prefix.length() + 1) {
        String name = key.substring(prefix.length(), key.length() - 1);
        return name.isBlank() || name.chars().anyMatch(Character::isWhitespace)
            ? null
            : name.toLowerCase(java.util.Locale.ROOT);
      }
      return null;
    }
  }
}
