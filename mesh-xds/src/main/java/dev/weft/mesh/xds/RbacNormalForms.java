package dev.weft.mesh.xds;

import static dev.weft.mesh.xds.NormalFormAlgebra.FALSE;
import static dev.weft.mesh.xds.NormalFormAlgebra.TRUE;
import static dev.weft.mesh.xds.NormalFormAlgebra.and;
import static dev.weft.mesh.xds.NormalFormAlgebra.maybeNegate;
import static dev.weft.mesh.xds.NormalFormAlgebra.or;

import dev.weft.mesh.api.security.MatchPattern;
import dev.weft.mesh.xds.RbacTranslator.Attr;
import dev.weft.mesh.xds.RbacTranslator.Literal;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Envoy RBAC matchers to the normal form the translation works on: a disjunction of conjunctions of
 * {@link Literal} tests, refused with the field named where no exact form exists.
 */
final class RbacNormalForms {
  private static final String SPIFFE = "spiffe://";

  /** How Istio writes a namespace test: {@code .*}{@code /ns/NAMESPACE/.*}. */
  private static final Pattern NAMESPACE_REGEX = Pattern.compile("\\.\\*/ns/([^/]+)/\\.\\*");

  private static final Pattern NAMESPACE_NAME = Pattern.compile("[-a-z0-9]+");

  private RbacNormalForms() {}

  // ---- RBAC to normal form ----

  static List<List<Literal>> normalForm(Policy p, String field) {
    if (p.hasCondition()) {
      throw FieldException.of(field + ".condition", "CEL conditions are not supported");
    }
    if (p.hasCheckedCondition()) {
      throw FieldException.of(field + ".checked_condition", "CEL conditions are not supported");
    }
    List<List<Literal>> permissions = FALSE;
    for (int i = 0; i < p.getPermissionsCount(); i++) {
      permissions =
          or(
              permissions,
              permission(p.getPermissions(i), false, field + ".permissions[" + i + "]"),
              field);
    }
    List<List<Literal>> principals = FALSE;
    for (int i = 0; i < p.getPrincipalsCount(); i++) {
      principals =
          or(
              principals,
              principal(p.getPrincipals(i), false, field + ".principals[" + i + "]"),
              field);
    }
    return and(permissions, principals, field);
  }

  /**
   * The conjunction ({@code conjunction}) or disjunction of {@code count} children, each already
   * translated under {@code negated}; by De Morgan a negated conjunction is the disjunction of the
   * negated children, and the other way round.
   */
  static List<List<Literal>> fold(
      int count,
      boolean conjunction,
      boolean negated,
      java.util.function.IntFunction<List<List<Literal>>> child,
      String f) {
    boolean both = conjunction != negated;
    List<List<Literal>> acc = both ? TRUE : FALSE;
    for (int i = 0; i < count; i++) {
      acc = both ? and(acc, child.apply(i), f) : or(acc, child.apply(i), f);
    }
    return acc;
  }

  static List<List<Literal>> permission(Permission p, boolean negated, String f) {
    switch (p.getRuleCase()) {
      case AND_RULES -> {
        return fold(
            p.getAndRules().getRulesCount(),
            true,
            negated,
            i ->
                permission(p.getAndRules().getRules(i), negated, f + ".and_rules.rules[" + i + "]"),
            f);
      }
      case OR_RULES -> {
        return fold(
            p.getOrRules().getRulesCount(),
            false,
            negated,
            i -> permission(p.getOrRules().getRules(i), negated, f + ".or_rules.rules[" + i + "]"),
            f);
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
          throw unsupported(
              f + ".requested_server_name",
              "gRPC servers take the requested server name as empty, so only a matcher of the empty string has a meaning");
        }
        return negated ? FALSE : TRUE;
      }
      case DESTINATION_IP ->
          throw unsupported(f + ".destination_ip", "Weft's policies do not see the local address");
      case DESTINATION_PORT ->
          throw unsupported(f + ".destination_port", "Weft's policies do not see the local port");
      case DESTINATION_PORT_RANGE ->
          throw unsupported(
              f + ".destination_port_range", "Weft's policies do not see the local port");
      case MATCHER -> throw unsupported(f + ".matcher", "extension matchers are not known to Weft");
      case URI_TEMPLATE ->
          throw unsupported(
              f + ".uri_template", "URI templates have no equivalent in Weft's policies");
      case RULE_NOT_SET -> throw FieldException.of(f + ".rule", "must be set");
      default ->
          throw unsupported(
              f + "." + p.getRuleCase().name().toLowerCase(Locale.ROOT), "not known to Weft");
    }
  }

  static List<List<Literal>> principal(Principal p, boolean negated, String f) {
    switch (p.getIdentifierCase()) {
      case AND_IDS -> {
        return fold(
            p.getAndIds().getIdsCount(),
            true,
            negated,
            i -> principal(p.getAndIds().getIds(i), negated, f + ".and_ids.ids[" + i + "]"),
            f);
      }
      case OR_IDS -> {
        return fold(
            p.getOrIds().getIdsCount(),
            false,
            negated,
            i -> principal(p.getOrIds().getIds(i), negated, f + ".or_ids.ids[" + i + "]"),
            f);
      }
      case NOT_ID -> {
        return principal(p.getNotId(), !negated, f + ".not_id");
      }
      case ANY -> {
        return negated ? FALSE : TRUE;
      }
      case AUTHENTICATED -> {
        String af = f + ".authenticated";
        List<List<Literal>> d =
            p.getAuthenticated().hasPrincipalName()
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
      case SOURCE_IP ->
          throw unsupported(f + ".source_ip", "Weft's policies do not see the peer address");
      case DIRECT_REMOTE_IP ->
          throw unsupported(f + ".direct_remote_ip", "Weft's policies do not see the peer address");
      case REMOTE_IP ->
          throw unsupported(f + ".remote_ip", "Weft's policies do not see the peer address");
      case FILTER_STATE ->
          throw unsupported(f + ".filter_state", "Envoy filter state has no equivalent in Weft");
      case CUSTOM -> throw unsupported(f + ".custom", "extension principals are not known to Weft");
      case IDENTIFIER_NOT_SET -> throw FieldException.of(f + ".identifier", "must be set");
      default ->
          throw unsupported(
              f + "." + p.getIdentifierCase().name().toLowerCase(Locale.ROOT), "not known to Weft");
    }
  }

  /**
   * The caller's URI SAN (its SPIFFE ID) against a principal_name matcher, in the forms Istio
   * writes.
   */
  static List<List<Literal>> principalName(StringMatcher m, String f) {
    if (m.getIgnoreCase()) {
      throw unsupported(f + ".ignore_case", "principals match case-sensitively in Weft");
    }
    if (m.getMatchPatternCase() == StringMatcher.MatchPatternCase.SUFFIX) {
      return principalSuffix(noStar(nonEmpty(m.getSuffix(), f + ".suffix"), f + ".suffix"));
    }
    String pattern =
        switch (m.getMatchPatternCase()) {
          case EXACT -> {
            if (!m.getExact().startsWith(SPIFFE) || m.getExact().length() == SPIFFE.length()) {
              throw unsupported(
                  f + ".exact",
                  "'%s' is not a SPIFFE ID; Weft knows callers by their SPIFFE ID only",
                  m.getExact());
            }
            yield noStar(m.getExact(), f + ".exact");
          }
          case PREFIX -> {
            if (!m.getPrefix().startsWith(SPIFFE) || m.getPrefix().length() == SPIFFE.length()) {
              throw unsupported(
                  f + ".prefix",
                  "'%s' does not start with spiffe://TRUST_DOMAIN; Weft knows callers by their SPIFFE ID only",
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
            throw unsupported(
                f + ".safe_regex",
                "regex '%s' is not one of the forms Weft translates ('.+', '.*', '.*/ns/NAMESPACE/.*')",
                regex);
          }
          case CONTAINS ->
              throw unsupported(
                  f + ".contains", "contains has no equivalent in Weft's principal patterns");
          default -> throw unsupported(f, "%s is not supported", m.getMatchPatternCase());
        };
    if (pattern != null) {
      return List.of(List.of(new Literal(Attr.PRINCIPAL, null, pattern, false)));
    }
    Matcher ns = NAMESPACE_REGEX.matcher(m.getSafeRegex().getRegex());
    ns.matches();
    return List.of(
        List.of(
            new Literal(
                Attr.NAMESPACE, null, namespacePattern(ns.group(1), f + ".safe_regex"), false)));
  }

  /**
   * The URI SAN {@code spiffe://P} ends with {@code suffix} when P does, or when the suffix reaches
   * into the scheme ({@code /td/ns/a/sa/b} is the end of {@code spiffe://td/ns/a/sa/b}); Weft's
   * suffix patterns read P, so the second case becomes an exact test.
   */
  static List<List<Literal>> principalSuffix(String suffix) {
    List<List<Literal>> out = new ArrayList<>();
    out.add(List.of(new Literal(Attr.PRINCIPAL, null, "*" + suffix, false)));
    for (int k = 0; k < SPIFFE.length(); k++) {
      String schemeEnd = SPIFFE.substring(k);
      if (suffix.startsWith(schemeEnd) && suffix.length() > schemeEnd.length()) {
        out.add(
            List.of(
                new Literal(
                    Attr.PRINCIPAL, null, SPIFFE + suffix.substring(schemeEnd.length()), false)));
      }
    }
    return out;
  }

  /** Istio writes namespace patterns into the regex with {@code .*} for its {@code *}. */
  static String namespacePattern(String raw, String f) {
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
      throw unsupported(
          f,
          "namespace '%s' in the regex is not a namespace name (letters, digits, '-') with at most a leading "
              + "or trailing '.*'",
          raw);
    }
    return pattern;
  }

  static List<List<Literal>> urlPath(io.envoyproxy.envoy.type.matcher.v3.PathMatcher pm, String f) {
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
      throw unsupported(
          sf + ".safe_regex",
          "regex '%s' is not one of the forms Weft translates ('.+', '.*')",
          regex);
    }
    return List.of(List.of(new Literal(Attr.PATH, null, stringPattern(m, sf), false)));
  }

  static List<List<Literal>> metadata(
      io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher m, String f) {
    if (m.getInvert()) {
      throw unsupported(
          f + ".invert", "an inverted metadata matcher has no defined meaning for gRPC servers");
    }
    return FALSE; // gRFC A41: gRPC has no Envoy metadata, so a metadata matcher never matches
  }

  /** A header matcher; {@code :method} and {@code :path} are the request's method and path. */
  static List<List<Literal>> header(HeaderMatcher h, String f) {
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
      throw unsupported(
          f + ".name", "'%s': binary headers are not matched by Weft's policies", name);
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
      throw unsupported(
          f + ".treat_missing_header_as_empty", "has no equivalent in Weft's policies");
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
      case PREFIX_MATCH ->
          pattern =
              MatchPattern.prefix(
                      noStar(
                          nonEmpty(h.getPrefixMatch(), f + ".prefix_match"), f + ".prefix_match"))
                  .toString();
      case SUFFIX_MATCH ->
          pattern =
              MatchPattern.suffix(
                      noStar(
                          nonEmpty(h.getSuffixMatch(), f + ".suffix_match"), f + ".suffix_match"))
                  .toString();
      case SAFE_REGEX_MATCH ->
          pattern = regexPattern(h.getSafeRegexMatch().getRegex(), f + ".safe_regex_match");
      case STRING_MATCH -> {
        StringMatcher m = h.getStringMatch();
        if (m.getIgnoreCase()) {
          throw unsupported(
              f + ".string_match.ignore_case", "headers match case-sensitively in Weft");
        }
        pattern =
            m.getMatchPatternCase() == StringMatcher.MatchPatternCase.SAFE_REGEX
                ? regexPattern(m.getSafeRegex().getRegex(), f + ".string_match.safe_regex")
                : stringPattern(m, f + ".string_match");
      }
      case CONTAINS_MATCH ->
          throw unsupported(f + ".contains_match", "has no equivalent in Weft's patterns");
      case RANGE_MATCH ->
          throw unsupported(f + ".range_match", "has no equivalent in Weft's patterns");
      default -> throw unsupported(f + ".header_match_specifier", "must be set");
    }
    Literal match = new Literal(attr, header, pattern, false);
    if (!invert) {
      return List.of(List.of(match));
    }
    // An inverted matcher still needs the header (Envoy, gRFC A41): present and not matching.
    return attr == Attr.HEADER
        ? List.of(List.of(present, match.negate()))
        : List.of(List.of(match.negate()));
  }

  static String regexPattern(String regex, String f) {
    if (regex.equals(".+") || regex.equals(".*")) {
      return "*";
    }
    throw unsupported(f, "regex '%s' is not one of the forms Weft translates ('.+', '.*')", regex);
  }

  /** A string matcher (not a regex) as a Weft pattern. */
  static String stringPattern(StringMatcher m, String f) {
    if (m.getIgnoreCase()) {
      throw unsupported(f + ".ignore_case", "Weft's patterns are case-sensitive");
    }
    return switch (m.getMatchPatternCase()) {
      case EXACT -> exactPattern(m.getExact(), f + ".exact");
      case PREFIX ->
          MatchPattern.prefix(noStar(nonEmpty(m.getPrefix(), f + ".prefix"), f + ".prefix"))
              .toString();
      case SUFFIX ->
          MatchPattern.suffix(noStar(nonEmpty(m.getSuffix(), f + ".suffix"), f + ".suffix"))
              .toString();
      case CONTAINS -> throw unsupported(f + ".contains", "has no equivalent in Weft's patterns");
      case SAFE_REGEX ->
          throw unsupported(
              f + ".safe_regex",
              "regex '%s' has no exact translation",
              m.getSafeRegex().getRegex());
      default -> throw unsupported(f, "%s is not supported", m.getMatchPatternCase());
    };
  }

  static String exactPattern(String value, String f) {
    return noStar(nonEmpty(value, f), f);
  }

  static String nonEmpty(String value, String f) {
    if (value.isEmpty()) {
      throw unsupported(f, "an empty string has no exact translation");
    }
    return value;
  }

  static String noStar(String value, String f) {
    if (value.indexOf('*') >= 0) {
      throw unsupported(f, "'%s' holds '*', which Weft's patterns read as a wildcard", value);
    }
    return value;
  }

  static boolean acceptsEmpty(StringMatcher m) {
    return switch (m.getMatchPatternCase()) {
      case EXACT -> m.getExact().isEmpty();
      case PREFIX -> m.getPrefix().isEmpty();
      case SUFFIX -> m.getSuffix().isEmpty();
      case CONTAINS -> m.getContains().isEmpty();
      case SAFE_REGEX -> m.getSafeRegex().getRegex().equals(".*");
      default -> false;
    };
  }

  static FieldException unsupported(String field, String reason, Object... args) {
    return new FieldException(field, "not supported: " + String.format(reason, args));
  }
}
