package dev.weft.mesh.security;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.security.AuthorizationPolicy;
import dev.weft.mesh.api.security.AuthorizationPolicy.Action;
import dev.weft.mesh.api.security.AuthorizationPolicy.Condition;
import dev.weft.mesh.api.security.AuthorizationPolicy.Operation;
import dev.weft.mesh.api.security.AuthorizationPolicy.Rule;
import dev.weft.mesh.api.security.AuthorizationPolicy.Source;
import dev.weft.mesh.api.security.MatchPattern;
import dev.weft.mesh.api.security.SpiffeId;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides whether a request may proceed, with Istio {@code AuthorizationPolicy} semantics (see
 * {@link AuthorizationPolicy}): a matching DENY policy denies; with no ALLOW policy everything else
 * is allowed; with ALLOW policies, a request must match one of them.
 *
 * <p>Immutable: the policies are compiled once, and {@link #authorize} reads only final fields,
 * takes no locks and allocates almost nothing. A configuration change builds a new authorizer.
 */
public final class Authorizer {
  private static final Authorizer ALLOW_ALL = new Authorizer(List.of());

  private final List<AuthorizationPolicy> policies;
  private final CompiledPolicy[] denies;
  private final CompiledPolicy[] allows;
  private final Decision noAllowMatch;

  private Authorizer(List<AuthorizationPolicy> policies) {
    this.policies = List.copyOf(policies);
    List<CompiledPolicy> deny = new ArrayList<>();
    List<CompiledPolicy> allow = new ArrayList<>();
    for (AuthorizationPolicy p : this.policies) {
      (p.action() == Action.DENY ? deny : allow).add(new CompiledPolicy(p));
    }
    this.denies = deny.toArray(CompiledPolicy[]::new);
    this.allows = allow.toArray(CompiledPolicy[]::new);
    this.noAllowMatch = noAllowMatch(this.policies);
  }

  /**
   * The denial when no ALLOW policy matches: when every ALLOW policy has no rules (they allow
   * nothing, such as a server waiting for its configuration), it names them and says so.
   */
  private static Decision noAllowMatch(List<AuthorizationPolicy> policies) {
    List<String> ruleless = new ArrayList<>();
    for (AuthorizationPolicy p : policies) {
      if (p.action() == Action.ALLOW) {
        if (!p.rules().isEmpty()) {
          return Decision.NO_ALLOW_MATCH;
        }
        ruleless.add(p.name());
      }
    }
    if (ruleless.isEmpty()) {
      return Decision.NO_ALLOW_MATCH;
    }
    String names = String.join(", ", ruleless);
    return new Decision(
        false,
        Decision.Basis.NO_ALLOW_MATCH,
        names,
        -1,
        "denied: the ALLOW polic"
            + (ruleless.size() == 1 ? "y '" : "ies '")
            + names
            + "' "
            + (ruleless.size() == 1 ? "has" : "have")
            + " no rules, so nothing is allowed");
  }

  /** An authorizer enforcing every one of {@code policies}. */
  public static Authorizer of(List<AuthorizationPolicy> policies) {
    requireNonNull(policies, "policies");
    return policies.isEmpty() ? ALLOW_ALL : new Authorizer(policies);
  }

  /**
   * An authorizer for one server-side service: enforces the policies that {@linkplain
   * AuthorizationPolicy#appliesTo apply to} {@code service}.
   */
  public static Authorizer forService(List<AuthorizationPolicy> policies, String service) {
    requireNonNull(service, "service");
    return of(policies.stream().filter(p -> p.appliesTo(service)).toList());
  }

  /** An authorizer with no policies: allows everything. */
  public static Authorizer allowAll() {
    return ALLOW_ALL;
  }

  /** The policies enforced, in the order given. */
  public List<AuthorizationPolicy> policies() {
    return policies;
  }

  /** Decides {@code request}. Never throws for a well-formed request; thread-safe. */
  public Decision authorize(AuthorizationRequest request) {
    if (denies.length == 0 && allows.length == 0) {
      return Decision.NO_POLICIES;
    }
    Subject subject = new Subject(request);
    for (CompiledPolicy p : denies) {
      Decision d = p.match(subject);
      if (d != null) {
        return d;
      }
    }
    if (allows.length == 0) {
      return Decision.NO_POLICIES;
    }
    for (CompiledPolicy p : allows) {
      Decision d = p.match(subject);
      if (d != null) {
        return d;
      }
    }
    return noAllowMatch;
  }

  @Override
  public String toString() {
    return "Authorizer" + policies.stream().map(p -> p.name() + ":" + p.action()).toList();
  }

  /** The request, with the caller's names worked out once. */
  private static final class Subject {
    final AuthorizationRequest request;
    final String spiffeId;
    final String principal;
    final String namespace;

    /** The end user's {@code ISSUER/SUBJECT}; empty without a verified token. */
    final String requestPrincipal;

    /** The verified token's claims; null without one. */
    final RequestPrincipal user;

    Subject(AuthorizationRequest request) {
      this.request = request;
      SpiffeId id = request.caller().map(PeerIdentity::spiffeId).orElse(null);
      this.spiffeId = id == null ? "" : id.toString();
      this.principal = id == null ? "" : id.principal();
      this.namespace = id == null ? "" : id.namespace().orElse("");
      this.user = request.requestPrincipal().orElse(null);
      this.requestPrincipal = user == null ? "" : user.getName();
    }
  }

  private static final class CompiledPolicy {
    final CompiledRule[] rules;
    final Decision[] decisions;

    CompiledPolicy(AuthorizationPolicy policy) {
      int n = policy.rules().size();
      rules = new CompiledRule[n];
      decisions = new Decision[n];
      boolean allow = policy.action() == Action.ALLOW;
      for (int i = 0; i < n; i++) {
        rules[i] = new CompiledRule(policy.rules().get(i));
        decisions[i] =
            new Decision(
                allow,
                allow ? Decision.Basis.ALLOW_POLICY : Decision.Basis.DENY_POLICY,
                policy.name(),
                i,
                (allow ? "allowed by" : "denied by") + " policy '" + policy.name() + "' rule " + i);
      }
    }

    Decision match(Subject s) {
      for (int i = 0; i < rules.length; i++) {
        if (rules[i].matches(s)) {
          return decisions[i];
        }
      }
      return null;
    }
  }

  private static final class CompiledRule {
    final CompiledSource[] from;
    final CompiledOperation[] to;
    final CompiledCondition[] when;

    CompiledRule(Rule rule) {
      from = rule.from().stream().map(CompiledSource::new).toArray(CompiledSource[]::new);
      to = rule.to().stream().map(CompiledOperation::new).toArray(CompiledOperation[]::new);
      when = rule.when().stream().map(CompiledCondition::new).toArray(CompiledCondition[]::new);
    }

    boolean matches(Subject s) {
      if (from.length > 0 && !anySource(s)) {
        return false;
      }
      if (to.length > 0 && !anyOperation(s)) {
        return false;
      }
      for (CompiledCondition c : when) {
        if (!c.holds(s)) {
          return false;
        }
      }
      return true;
    }

    private boolean anySource(Subject s) {
      for (CompiledSource src : from) {
        if (src.matches(s)) {
          return true;
        }
      }
      return false;
    }

    private boolean anyOperation(Subject s) {
      for (CompiledOperation op : to) {
        if (op.matches(s)) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * A list of patterns as one field: matches when any pattern does; an empty field is not checked.
   */
  private static final class Field {
    final MatchPattern[] matchers;

    /** Per pattern: written with {@code spiffe://}, so matched against the whole SPIFFE ID. */
    final boolean[] withScheme;

    Field(List<String> patterns) {
      this.matchers = patterns.stream().map(MatchPattern::parse).toArray(MatchPattern[]::new);
      this.withScheme = new boolean[patterns.size()];
      for (int i = 0; i < withScheme.length; i++) {
        withScheme[i] = patterns.get(i).startsWith("spiffe://");
      }
    }

    boolean isSet() {
      return matchers.length > 0;
    }

    boolean any(String value) {
      for (MatchPattern m : matchers) {
        if (m.matches(value)) {
          return true;
        }
      }
      return false;
    }

    /**
     * Matches a value that may be absent ({@code ""}): an absent value matches no pattern, not even
     * {@code *}, as in Istio, where {@code requestPrincipals: ["*"]} requires a token.
     */
    boolean anyOf(String value) {
      return !value.isEmpty() && any(value);
    }

    /** Matches when any of {@code values} does; none match when there are none. */
    boolean anyValue(List<String> values) {
      for (String v : values) {
        if (anyOf(v)) {
          return true;
        }
      }
      return false;
    }

    /** Principals may be written with {@code spiffe://} or, as Istio does, without it. */
    boolean anyPrincipal(Subject s) {
      for (int i = 0; i < matchers.length; i++) {
        if (matchers[i].matches(withScheme[i] ? s.spiffeId : s.principal)) {
          return true;
        }
      }
      return false;
    }

    /**
     * Header semantics, as Envoy and Istio match them: the values of a repeated header are joined
     * with {@code ,} and matched as one; {@code *} matches a header that is present, even empty.
     */
    boolean anyHeader(List<String> values) {
      if (values.isEmpty()) {
        return false;
      }
      String joined = values.size() == 1 ? values.get(0) : String.join(",", values);
      for (MatchPattern m : matchers) {
        if (m.kind() == MatchPattern.Kind.PRESENT || m.matches(joined)) {
          return true;
        }
      }
      return false;
    }

    /**
     * A method field: servers run GET handlers for HEAD, so a pattern that matches GET covers HEAD.
     */
    boolean anyMethod(String method) {
      return any(method) || (method.equals("HEAD") && any("GET"));
    }
  }

  private static final class CompiledSource {
    final Field principals;
    final Field notPrincipals;
    final Field namespaces;
    final Field notNamespaces;
    final Field requestPrincipals;
    final Field notRequestPrincipals;

    CompiledSource(Source source) {
      principals = new Field(source.principals());
      notPrincipals = new Field(source.notPrincipals());
      namespaces = new Field(source.namespaces());
      notNamespaces = new Field(source.notNamespaces());
      requestPrincipals = new Field(source.requestPrincipals());
      notRequestPrincipals = new Field(source.notRequestPrincipals());
    }

    boolean matches(Subject s) {
      return (!principals.isSet() || principals.anyPrincipal(s))
          && (!notPrincipals.isSet() || !notPrincipals.anyPrincipal(s))
          && (!namespaces.isSet() || namespaces.any(s.namespace))
          && (!notNamespaces.isSet() || !notNamespaces.any(s.namespace))
          && (!requestPrincipals.isSet() || requestPrincipals.anyOf(s.requestPrincipal))
          && (!notRequestPrincipals.isSet() || !notRequestPrincipals.anyOf(s.requestPrincipal));
    }
  }

  private static final class CompiledOperation {
    final Field paths;
    final Field notPaths;
    final Field methods;
    final Field notMethods;

    CompiledOperation(Operation op) {
      paths = new Field(op.paths());
      notPaths = new Field(op.notPaths());
      methods = new Field(op.methods());
      notMethods = new Field(op.notMethods());
    }

    boolean matches(Subject s) {
      String path = s.request.path();
      String method = s.request.method();
      return (!paths.isSet() || paths.any(path))
          && (!notPaths.isSet() || !notPaths.any(path))
          && (!methods.isSet() || methods.anyMethod(method))
          && (!notMethods.isSet() || !notMethods.anyMethod(method));
    }
  }

  private static final class CompiledCondition {
    /** What the condition reads. */
    private enum Attribute {
      HEADER,
      SOURCE_PRINCIPAL,
      SOURCE_NAMESPACE,
      AUTH_PRINCIPAL,
      AUTH_AUDIENCES,
      AUTH_PRESENTER,
      AUTH_CLAIM
    }

    final Attribute attribute;
    final String header;
    final List<String> claimPath;
    final Field values;
    final Field notValues;

    CompiledCondition(Condition c) {
      // HTTP/2's :authority is HTTP/1's Host: both protocols' hooks answer to "host"
      header = ":authority".equals(c.headerName()) ? "host" : c.headerName();
      claimPath = c.claimPath();
      attribute =
          header != null
              ? Attribute.HEADER
              : claimPath != null
                  ? Attribute.AUTH_CLAIM
                  : switch (c.key()) {
                    case "source.principal" -> Attribute.SOURCE_PRINCIPAL;
                    case "source.namespace" -> Attribute.SOURCE_NAMESPACE;
                    case "request.auth.principal" -> Attribute.AUTH_PRINCIPAL;
                    case "request.auth.audiences" -> Attribute.AUTH_AUDIENCES;
                    case "request.auth.presenter" -> Attribute.AUTH_PRESENTER;
                    default -> throw new IllegalArgumentException("condition key " + c.key());
                  };
      values = new Field(c.values());
      notValues = new Field(c.notValues());
    }

    boolean holds(Subject s) {
      switch (attribute) {
        case HEADER:
          List<String> v = s.request.headers().values(header);
          return (!values.isSet() || values.anyHeader(v))
              && (!notValues.isSet() || !notValues.anyHeader(v));
        case SOURCE_PRINCIPAL:
          return (!values.isSet() || values.anyPrincipal(s))
              && (!notValues.isSet() || !notValues.anyPrincipal(s));
        case SOURCE_NAMESPACE:
          return (!values.isSet() || values.any(s.namespace))
              && (!notValues.isSet() || !notValues.any(s.namespace));
        default:
          List<String> auth = authValues(s);
          return (!values.isSet() || values.anyValue(auth))
              && (!notValues.isSet() || !notValues.anyValue(auth));
      }
    }

    /** The request.auth attribute's values; none without a verified token. */
    private List<String> authValues(Subject s) {
      RequestPrincipal user = s.user;
      if (user == null) {
        return List.of();
      }
      return switch (attribute) {
        case AUTH_PRINCIPAL -> List.of(user.getName());
        case AUTH_AUDIENCES -> user.audiences();
        case AUTH_PRESENTER -> List.of(user.presenter());
        case AUTH_CLAIM -> user.claimValues(claimPath);
        default -> List.of();
      };
    }
  }
}
