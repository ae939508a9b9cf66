package dev.weft.mesh.xds;

import dev.weft.mesh.api.security.AuthorizationPolicy;
import dev.weft.mesh.api.security.MatchPattern;
import dev.weft.mesh.api.security.AuthorizationPolicy.Action;
import dev.weft.mesh.api.security.AuthorizationPolicy.Condition;
import dev.weft.mesh.api.security.AuthorizationPolicy.Operation;
import dev.weft.mesh.api.security.AuthorizationPolicy.Rule;
import dev.weft.mesh.api.security.AuthorizationPolicy.Source;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Translates the RBAC HTTP filters of a server listener's filter chain (gRFC A41) into
 * {@link AuthorizationPolicy} entries with exactly the same meaning, or throws a
 * {@link FieldException} naming the first field that has no exact translation.
 *
 * <p>Each RBAC policy ("any permission AND any principal") is rewritten into disjunctive normal
 * form over attribute tests (caller principal, caller namespace, path, method, header); each
 * conjunction becomes one {@link Rule}. The filters of one chain must all pass: DENY filters
 * become DENY policies, which the policy model already ANDs; the rules of several ALLOW filters are
 * multiplied out into one ALLOW policy, since the model ORs ALLOW policies.
 */
final class RbacTranslator {
  static final String RBAC_TYPE = "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC";
  /** Bounds the normal form: a policy that multiplies out to more rules than this is refused. */
  static final int MAX_RULES = 1024;
  private static final String SPIFFE = "spiffe://";
  /** How Istio writes a namespace test: {@code .*}{@code /ns/NAMESPACE/.*}. */
  private static final Pattern NAMESPACE_REGEX = Pattern.compile("\\.\\*/ns/([^/]+)/\\.\\*");
  private static final Pattern NAMESPACE_NAME = Pattern.compile("[-a-z0-9]+");

  private RbacTranslator() {}

  /** One RBAC filter of a chain, with the field path of its typed_config. */
  record Filter(String name, RBAC config, String field) {}

  /** What a test reads. */
  enum Attr { PRINCIPAL, NAMESPACE, PATH, METHOD, HEADER }

  /**
   * One test of the request, possibly negated: the attribute matches {@code pattern} (Weft's
   * pattern syntax: exact, {@code prefix*}, {@code *suffix}, {@code *} for present).
   */
  record Literal(Attr attr, String header, String pattern, boolean negated) {
    Literal negate() {
      return new Literal(attr, header, pattern, !negated);
    }
  }

  // A DNF: a list of conjunctions; [] is false, [[]] is true.
  private static final List<List<Literal>> TRUE = List.of(List.of());
  private static final List<List<Literal>> FALSE = List.of();

  /** The policies the filters enforce together; empty when none of them enforces anything. */
  static List<AuthorizationPolicy> translate(List<Filter> filters) {
    List<AuthorizationPolicy> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    List<Filter> allowFilters = new ArrayList<>();
    List<List<List<Literal>>> allowForms = new ArrayList<>();
    for (Filter f : filters) {
      RBAC rbac = f.config();
      if (rbac.hasMatcher() || rbac.hasShadowMatcher()) {
        throw FieldException.of(f.field() + (rbac.hasMatcher() ? ".matcher" : ".shadow_matcher"),
            "is not supported (use rules)");
      }
      // gRFC A41: no rules means the filter enforces nothing; shadow rules only log; LOG enforces nothing.
      if (!rbac.hasRules()) {
        continue;
      }
      io.envoyproxy.envoy.config.rbac.v3.RBAC rules = rbac.getRules();
      String rf = f.field() + ".rules";
      if (rules.getAction() == io.envoyproxy.envoy.config.rbac.v3.RBAC.Action.LOG) {
        continue; // gRFC A41: a LOG policy is ignored entirely, as if no RBAC filter were configured
      }
      // audit_logging_options only observe decisions; they change none.
      Map<String, List<List<Literal>>> forms = new TreeMap<>();
      for (Map.Entry<String, Policy> e : new TreeMap<>(rules.getPoliciesMap()).entrySet()) {
        forms.put(e.getKey(), policy(e.getValue(), rf + ".policies['" + e.getKey() + "']"));
      }
      switch (rules.getAction()) {
        case DENY -> forms.forEach((name, dnf) ->
            out.add(policy(uniqueName(name, names), Action.DENY, dnf, rf + ".policies['" + name + "']")));
        case ALLOW -> {
          allowFilters.add(f);
          List<List<Literal>> any = new ArrayList<>();
          forms.values().forEach(any::addAll);
          allowForms.add(any);
          if (allowFilters.size() == 1) {
            // Kept per policy so that decisions name the RBAC policy; replaced below if another ALLOW filter follows.
            for (Map.Entry<String, List<List<Literal>>> e : forms.entrySet()) {
              out.add(policy(uniqueName(e.getKey(), names), Action.ALLOW, e.getValue(), rf + ".policies['" + e.getKey() + "']"));
            }
            if (forms.isEmpty()) {
              // An ALLOW filter without policies allows nothing.
              out.add(AuthorizationPolicy.denyAll(uniqueName(sanitize(f.name()), names)));
            }
          }
        }
        default -> throw FieldException.of(rf + ".action", "%s is not supported", rules.getAction());
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
      String name = "allow-all-of[" + String.join(",", allowFilters.stream().map(f -> sanitize(f.name())).toList()) + "]";
      out.add(policy(uniqueName(name, names), Action.ALLOW, all, field));
    }
    return out;
  }

  private static AuthorizationPolicy policy(String name, Action action, List<List<Literal>> dnf, String field) {
    List<Rule> rules = new ArrayList<>();
    for (List<Literal> conjunction : dnf) {
      Rule r = rule(conjunction, field);
      if (r != null && !rules.contains(r)) {
        rules.add(r);
      }
    }
    return FieldException.model(field, () -> new AuthorizationPolicy(name, List.of(), action, rules));
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

  // ---- RBAC to normal form ----

  private static List<List<Literal>> policy(Policy p, String field) {
    if (p.hasCondition()) {
      throw FieldException.of(field + ".condition", "CEL conditions are not supported");
    }
    if (p.hasCheckedCondition()) {
      throw FieldException.of(field + ".checked_condition", "CEL conditions are not supported");
    }
    List<List<Literal>> permissions = FALSE;
    for (int i = 0; i < p.getPermissionsCount(); i++) {
      permissions = or(permissions, permission(p.getPermissions(i), false, field + ".permissions[" + i + "]"), field);
    }
    List<List<Literal>> principals = FALSE;
    for (int i = 0; i < p.getPrincipalsCount(); i++) {
      principals = or(principals, principal(p.getPrincipals(i), false, field + ".principals[" + i + "]"), field);
    }
    return and(permissions, principals, field);
  }

  /**
   * The conjunction ({@code conjunction}) or disjunction of {@code count} children, each already
   * translated under {@code negated}; by De Morgan a negated conjunction is the disjunction of the
   * negated children, and the other way round.
   */
  private static List<List<Literal>> fold(int count, boolean conjunction, boolean negated,
      java.util.function.IntFunction<List<List<Literal>>> child, String f) {
    boolean both = conjunction != negated;
    List<List<Literal>> acc = both ? TRUE : FALSE;
    for (int i = 0; i < count; i++) {
      acc = both ? and(acc, child.apply(i), f) : or(acc, child.apply(i), f);
    }
    return acc;
  }

  private static List<List<Literal>> permission(Permission p, boolean negated, String f) {
    switch (p.getRuleCase()) {
      case AND_RULES -> {
        return fold(p.getAndRules().getRulesCount(), true, negated,
            i -> permission(p.getAndRules().getRules(i), negated, f + ".and_rules.rules[" + i + "]"), f);
      }
      case OR_RULES -> {
        return fold(p.getOrRules().getRulesCount(), false, negated,
            i -> permission(p.getOrRules().getRules(i), negated, f + ".or_rules.rules[" + i + "]"), f);
      }
      case NOT_RULE -> {
        return permission(p.getNotRule(), !negated, f + ".not_rule");
      }
      case ANY -> {
        return negated ? FALSE : TRUE;
      }
      case HEADER -> {
        return maybeNegate(header(p.getHeader(), f + ".header"), negated, f);
      }
      case URL_PATH -> {
        return maybeNegate(urlPath(p.getUrlPath(), f + ".url_path"), negated, f);
      }
      case METADATA -> {
        return maybeNegate(metadata(p.getMetadata(), f + ".metadata"), negated, f);
      }
      case REQUESTED_SERVER_NAME -> {
        // gRFC A41: the requested server name is taken as empty.
        if (!acceptsEmpty(p.getRequestedServerName())) {
          throw unsupported(f + ".requested_server_name",
              "gRPC servers take the requested server name as empty, so only a matcher of the empty string has a meaning");
        }
        return negated ? FALSE : TRUE;
      }
      case DESTINATION_IP -> throw unsupported(f + ".destination_ip", "Weft's policies do not see the local address");
      case DESTINATION_PORT -> throw unsupported(f + ".destination_port", "Weft's policies do not see the local port");
      case DESTINATION_PORT_RANGE -> throw unsupported(f + ".destination_port_range", "Weft's policies do not see the local port");
      case MATCHER -> throw unsupported(f + ".matcher", "extension matchers are not known to Weft");
      case URI_TEMPLATE -> throw unsupported(f + ".uri_template", "URI templates have no equivalent in Weft's policies");
      case RULE_NOT_SET -> throw FieldException.of(f + ".rule", "must be set");
      default -> throw unsupported(f + "." + p.getRuleCase().name().toLowerCase(Locale.ROOT), "not known to Weft");
    }
  }

  private static List<List<Literal>> principal(Principal p, boolean negated, String f) {
    switch (p.getIdentifierCase()) {
      case AND_IDS -> {
        return fold(p.getAndIds().getIdsCount(), true, negated,
            i -> principal(p.getAndIds().getIds(i), negated, f + ".and_ids.ids[" + i + "]"), f);
      }
      case OR_IDS -> {
        return fold(p.getOrIds().getIdsCount(), false, negated,
            i -> principal(p.getOrIds().getIds(i), negated, f + ".or_ids.ids[" + i + "]"), f);
      }
      case NOT_ID -> {
        return principal(p.getNotId(), !negated, f + ".not_id");
      }
      case ANY -> {
        return negated ? FALSE : TRUE;
      }
      case AUTHENTICATED -> {
        String af = f + ".authenticated";
        List<List<Literal>> d = p.getAuthenticated().hasPrincipalName()
            ? principalName(p.getAuthenticated().getPrincipalName(), af + ".principal_name")
            : List.of(List.of(new Literal(Attr.PRINCIPAL, null, "*", false)));
        return maybeNegate(d, negated, f);
      }
      case HEADER -> {
        return maybeNegate(header(p.getHeader(), f + ".header"), negated, f);
      }
      case URL_PATH -> {
        return maybeNegate(urlPath(p.getUrlPath(), f + ".url_path"), negated, f);
      }
      case METADATA -> {
        return maybeNegate(metadata(p.getMetadata(), f + ".metadata"), negated, f);
      }
      case SOURCE_IP -> throw unsupported(f + ".source_ip", "Weft's policies do not see the peer address");
      case DIRECT_REMOTE_IP -> throw unsupported(f + ".direct_remote_ip", "Weft's policies do not see the peer address");
      case REMOTE_IP -> throw unsupported(f + ".remote_ip", "Weft's policies do not see the peer address");
      case FILTER_STATE -> throw unsupported(f + ".filter_state", "Envoy filter state has no equivalent in Weft");
      case CUSTOM -> throw unsupported(f + ".custom", "extension principals are not known to Weft");
      case IDENTIFIER_NOT_SET -> throw FieldException.of(f + ".identifier", "must be set");
      default -> throw unsupported(f + "." + p.getIdentifierCase().name().toLowerCase(Locale.ROOT), "not known to Weft");
    }
  }

  /** The caller's URI SAN (its SPIFFE ID) against a principal_name matcher, in the forms Istio writes. */
  private static List<List<Literal>> principalName(StringMatcher m, String f) {
    if (m.getIgnoreCase()) {
      throw unsupported(f + ".ignore_case", "principals match case-sensitively in Weft");
    }
    if (m.getMatchPatternCase() == StringMatcher.MatchPatternCase.SUFFIX) {
      return principalSuffix(noStar(nonEmpty(m.getSuffix(), f + ".suffix"), f + ".suffix"));
    }
    String pattern = switch (m.getMatchPatternCase()) {
      case EXACT -> {
        if (!m.getExact().startsWith(SPIFFE) || m.getExact().length() == SPIFFE.length()) {
          throw unsupported(f + ".exact", "'%s' is not a SPIFFE ID; Weft knows callers by their SPIFFE ID only", m.getExact());
        }
        yield noStar(m.getExact(), f + ".exact");
      }
      case PREFIX -> {
        if (!m.getPrefix().startsWith(SPIFFE) || m.getPrefix().length() == SPIFFE.length()) {
          throw unsupported(f + ".prefix", "'%s' does not start with spiffe://TRUST_DOMAIN; Weft knows callers by their SPIFFE ID only",
              m.getPrefix());
        }
        yield MatchPattern.prefix(noStar(m.getPrefix(), f + ".prefix")).toString();
      }
      case SAFE_REGEX -> {
        String regex = m.getSafeRegex().getRegex();
        if (regex.equals(".+") || regex.equals(".*")) {
          yield "*";
        }
        Matcher ns = NAMESPACE_REGEX.matcher(regex);
        if (ns.matches()) {
          yield null;
        }
        throw unsupported(f + ".safe_regex", "regex '%s' is not one of the forms Weft translates ('.+', '.*', '.*/ns/NAMESPACE/.*')", regex);
      }
      case CONTAINS -> throw unsupported(f + ".contains", "contains has no equivalent in Weft's principal patterns");
      default -> throw unsupported(f, "%s is not supported", m.getMatchPatternCase());
    };
    if (pattern != null) {
      return List.of(List.of(new Literal(Attr.PRINCIPAL, null, pattern, false)));
    }
    Matcher ns = NAMESPACE_REGEX.matcher(m.getSafeRegex().getRegex());
    ns.matches();
    return List.of(List.of(new Literal(Attr.NAMESPACE, null, namespacePattern(ns.group(1), f + ".safe_regex"), false)));
  }

  /**
   * The URI SAN {@code spiffe://P} ends with {@code suffix} when P does, or when the suffix reaches
   * into the scheme ({@code /td/ns/a/sa/b} is the end of {@code spiffe://td/ns/a/sa/b}); Weft's
   * suffix patterns read P, so the second case becomes an exact test.
   */
  private static List<List<Literal>> principalSuffix(String suffix) {
    List<List<Literal>> out = new ArrayList<>();
    out.add(List.of(new Literal(Attr.PRINCIPAL, null, "*" + suffix, false)));
    for (int k = 0; k < SPIFFE.length(); k++) {
      String schemeEnd = SPIFFE.substring(k);
      if (suffix.startsWith(schemeEnd) && suffix.length() > schemeEnd.length()) {
        out.add(List.of(new Literal(Attr.PRINCIPAL, null, SPIFFE + suffix.substring(schemeEnd.length()), false)));
      }
    }
    return out;
  }

  /** Istio writes namespace patterns into the regex with {@code .*} for its {@code *}. */
  private static String namespacePattern(String raw, String f) {
    if (raw.equals(".*")) {
      return "*";
    }
    String core = raw;
    String pattern;
    if (core.endsWith(".*")) {
      core = core.substring(0, core.length() - 2);
      pattern = core + "*";
    } else if (core.startsWith(".*")) {
      core = core.substring(2);
      pattern = "*" + core;
    } else {
      pattern = core;
    }
    if (!NAMESPACE_NAME.matcher(core).matches()) {
      throw unsupported(f, "namespace '%s' in the regex is not a namespace name (letters, digits, '-') with at most a leading "
          + "or trailing '.*'", raw);
    }
    return pattern;
  }

  private static List<List<Literal>> urlPath(io.envoyproxy.envoy.type.matcher.v3.PathMatcher pm, String f) {
    if (!pm.hasPath()) {
      throw FieldException.of(f + ".path", "must be set");
    }
    StringMatcher m = pm.getPath();
    String sf = f + ".path";
    if (m.getIgnoreCase()) {
      throw unsupported(sf + ".ignore_case", "paths match case-sensitively in Weft");
    }
    if (m.getMatchPatternCase() == StringMatcher.MatchPatternCase.SAFE_REGEX) {
      String regex = m.getSafeRegex().getRegex();
      if (regex.equals(".*") || regex.equals(".+")) {
        return TRUE; // every call has a non-empty path
      }
      throw unsupported(sf + ".safe_regex", "regex '%s' is not one of the forms Weft translates ('.+', '.*')", regex);
    }
    return List.of(List.of(new Literal(Attr.PATH, null, stringPattern(m, sf), false)));
  }

  private static List<List<Literal>> metadata(io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher m, String f) {
    if (m.getInvert()) {
      throw unsupported(f + ".invert", "an inverted metadata matcher has no defined meaning for gRPC servers");
    }
    return FALSE; // gRFC A41: gRPC has no Envoy metadata, so a metadata matcher never matches
  }

  /** A header matcher; {@code :method} and {@code :path} are the request's method and path. */
  private static List<List<Literal>> header(HeaderMatcher h, String f) {
    String name = h.getName().toLowerCase(Locale.ROOT);
    if (name.isEmpty()) {
      throw FieldException.of(f + ".name", "must not be empty");
    }
    if (name.startsWith("grpc-") || name.equals(":scheme")) {
      throw FieldException.of(f + ".name", "'%s' may not be matched (gRFC A41)", name);
    }
    if (name.equals(":authority") || name.equals("host")) {
      throw unsupported(f + ".name", "'%s': Weft's policies do not see the authority", name);
    }
    if (name.equals("te") || name.equals("connection")) {
      throw unsupported(f + ".name", "'%s' is a hop-by-hop header and never matches", name);
    }
    if (name.endsWith("-bin")) {
      throw unsupported(f + ".name", "'%s': binary headers are not matched by Weft's policies", name);
    }
    Attr attr;
    if (name.equals(":method")) {
      attr = Attr.METHOD;
    } else if (name.equals(":path")) {
      attr = Attr.PATH;
    } else if (name.startsWith(":")) {
      throw unsupported(f + ".name", "pseudo-header '%s' is not known to Weft's policies", name);
    } else {
      attr = Attr.HEADER;
    }
    if (h.getTreatMissingHeaderAsEmpty()) {
      throw unsupported(f + ".treat_missing_header_as_empty", "has no equivalent in Weft's policies");
    }
    String header = attr == Attr.HEADER ? name : null;
    Literal present = new Literal(attr, header, "*", false);
    boolean invert = h.getInvertMatch();
    String pattern;
    switch (h.getHeaderMatchSpecifierCase()) {
      case PRESENT_MATCH -> {
        boolean wantPresent = h.getPresentMatch() != invert;
        if (attr != Attr.HEADER) {
          return wantPresent ? TRUE : FALSE;
        }
        return List.of(List.of(wantPresent ? present : present.negate()));
      }
      case EXACT_MATCH -> pattern = exactPattern(h.getExactMatch(), f + ".exact_match");
      case PREFIX_MATCH -> pattern = MatchPattern.prefix(noStar(nonEmpty(h.getPrefixMatch(), f + ".prefix_match"), f + ".prefix_match")).toString();
      case SUFFIX_MATCH -> pattern = MatchPattern.suffix(noStar(nonEmpty(h.getSuffixMatch(), f + ".suffix_match"), f + ".suffix_match")).toString();
      case SAFE_REGEX_MATCH -> pattern = regexPattern(h.getSafeRegexMatch().getRegex(), f + ".safe_regex_match");
      case STRING_MATCH -> {
        StringMatcher m = h.getStringMatch();
        if (m.getIgnoreCase()) {
          throw unsupported(f + ".string_match.ignore_case", "headers match case-sensitively in Weft");
        }
        pattern = m.getMatchPatternCase() == StringMatcher.MatchPatternCase.SAFE_REGEX
            ? regexPattern(m.getSafeRegex().getRegex(), f + ".string_match.safe_regex")
            : stringPattern(m, f + ".string_match");
      }
      case CONTAINS_MATCH -> throw unsupported(f + ".contains_match", "has no equivalent in Weft's patterns");
      case RANGE_MATCH -> throw unsupported(f + ".range_match", "has no equivalent in Weft's patterns");
      default -> throw unsupported(f + ".header_match_specifier", "must be set");
    }
    Literal match = new Literal(attr, header, pattern, false);
    if (!invert) {
      return List.of(List.of(match));
    }
    // An inverted matcher still needs the header (Envoy, gRFC A41): present and not matching.
    return attr == Attr.HEADER ? List.of(List.of(present, match.negate())) : List.of(List.of(match.negate()));
  }

  private static String regexPattern(String regex, String f) {
    if (regex.equals(".+") || regex.equals(".*")) {
      return "*";
    }
    throw unsupported(f, "regex '%s' is not one of the forms Weft translates ('.+', '.*')", regex);
  }

  /** A string matcher (not a regex) as a Weft pattern. */
  private static String stringPattern(StringMatcher m, String f) {
    if (m.getIgnoreCase()) {
      throw unsupported(f + ".ignore_case", "Weft's patterns are case-sensitive");
    }
    return switch (m.getMatchPatternCase()) {
      case EXACT -> exactPattern(m.getExact(), f + ".exact");
      case PREFIX -> MatchPattern.prefix(noStar(nonEmpty(m.getPrefix(), f + ".prefix"), f + ".prefix")).toString();
      case SUFFIX -> MatchPattern.suffix(noStar(nonEmpty(m.getSuffix(), f + ".suffix"), f + ".suffix")).toString();
      case CONTAINS -> throw unsupported(f + ".contains", "has no equivalent in Weft's patterns");
      case SAFE_REGEX -> throw unsupported(f + ".safe_regex", "regex '%s' has no exact translation", m.getSafeRegex().getRegex());
      default -> throw unsupported(f, "%s is not supported", m.getMatchPatternCase());
    };
  }

  private static String exactPattern(String value, String f) {
    return noStar(nonEmpty(value, f), f);
  }

  private static String nonEmpty(String value, String f) {
    if (value.isEmpty()) {
      throw unsupported(f, "an empty string has no exact translation");
    }
    return value;
  }

  private static String noStar(String value, String f) {
    if (value.indexOf('*') >= 0) {
      throw unsupported(f, "'%s' holds '*', which Weft's patterns read as a wildcard", value);
    }
    return value;
  }

  private static boolean acceptsEmpty(StringMatcher m) {
    return switch (m.getMatchPatternCase()) {
      case EXACT -> m.getExact().isEmpty();
      case PREFIX -> m.getPrefix().isEmpty();
      case SUFFIX -> m.getSuffix().isEmpty();
      case CONTAINS -> m.getContains().isEmpty();
      case SAFE_REGEX -> m.getSafeRegex().getRegex().equals(".*");
      default -> false;
    };
  }

  private static FieldException unsupported(String field, String reason, Object... args) {
    return FieldException.of(field, "not supported: " + String.format(reason, args));
  }

  // ---- normal-form algebra ----

  private static List<List<Literal>> maybeNegate(List<List<Literal>> dnf, boolean negated, String f) {
    if (!negated) {
      return dnf;
    }
    // not (c1 or c2 ...) = (not c1) and (not c2) ...; not (l1 and l2) = (not l1) or (not l2).
    List<List<Literal>> acc = TRUE;
    for (List<Literal> conjunction : dnf) {
      List<List<Literal>> alternatives = new ArrayList<>();
      for (Literal l : conjunction) {
        alternatives.add(List.of(l.negate()));
      }
      acc = and(acc, alternatives, f);
    }
    return acc;
  }

  private static List<List<Literal>> or(List<List<Literal>> a, List<List<Literal>> b, String f) {
    List<List<Literal>> out = new ArrayList<>(a);
    for (List<Literal> c : b) {
      if (!out.contains(c)) {
        out.add(c);
      }
    }
    checkSize(out.size(), f);
    return out;
  }

  private static List<List<Literal>> and(List<List<Literal>> a, List<List<Literal>> b, String f) {
    checkSize((long) a.size() * b.size(), f);
    List<List<Literal>> out = new ArrayList<>();
    for (List<Literal> x : a) {
      for (List<Literal> y : b) {
        Set<Literal> merged = new LinkedHashSet<>(x);
        merged.addAll(y);
        if (contradicts(merged)) {
          continue;
        }
        List<Literal> c = List.copyOf(merged);
        if (!out.contains(c)) {
          out.add(c);
        }
      }
    }
    return out;
  }

  private static boolean contradicts(Set<Literal> conjunction) {
    for (Literal l : conjunction) {
      if (!l.negated() && conjunction.contains(l.negate())) {
        return true;
      }
    }
    return false;
  }

  private static void checkSize(long size, String f) {
    if (size > MAX_RULES) {
      throw unsupported(f, "the policy multiplies out to more than %d rules", MAX_RULES);
    }
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
        case HEADER -> when.add(new Condition("request.headers[" + l.header() + "]",
            l.negated() ? List.of() : List.of(l.pattern()), l.negated() ? List.of(l.pattern()) : List.of()));
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
    if (!principals.isEmpty() || !notPrincipals.isEmpty() || !namespaces.isEmpty() || !notNamespaces.isEmpty()) {
      from = List.of(new Source(first(principals), notPrincipals, first(namespaces), notNamespaces));
    }
    List<Operation> to = List.of();
    if (path != null || method != null || !notPaths.isEmpty() || !notMethods.isEmpty()) {
      to = List.of(new Operation(path == null ? List.of() : List.of(path), notPaths,
          method == null ? List.of() : List.of(method), notMethods));
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

  /** Intersects {@code patterns} (paths and methods are never empty, so {@code *} is always true). */
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
        boolean nested = acc.kind() == MatchPattern.Kind.PREFIX
            ? a.startsWith(b) || b.startsWith(a)
            : a.endsWith(b) || b.endsWith(a);
        if (!nested) {
          return Intersection.NONE;
        }
        acc = a.length() >= b.length() ? acc : p;
      } else {
        throw unsupported(f, "a rule needs %s to match both '%s' and '%s', which no single Weft pattern expresses", what, acc, p);
      }
    }
    return new Intersection(acc == null ? null : acc.toString(), false);
  }
}
