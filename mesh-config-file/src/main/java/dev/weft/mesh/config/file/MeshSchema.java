package dev.weft.mesh.config.file;

import static dev.weft.mesh.config.file.Schema.derived;
import static dev.weft.mesh.config.file.Schema.key;
import static dev.weft.mesh.config.file.Schema.required;
import static dev.weft.mesh.config.file.ValueType.BOOLEAN;
import static dev.weft.mesh.config.file.ValueType.DURATION;
import static dev.weft.mesh.config.file.ValueType.STRING;
import static dev.weft.mesh.config.file.ValueType.STRINGS;
import static dev.weft.mesh.config.file.ValueType.enumOf;
import static dev.weft.mesh.config.file.ValueType.list;
import static dev.weft.mesh.config.file.ValueType.named;
import static dev.weft.mesh.config.file.ValueType.record;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.api.security.AuthorizationPolicy;
import dev.weft.mesh.api.security.PathNormalization;
import dev.weft.mesh.api.security.RequestAuthentication;
import java.util.List;
import java.util.function.Function;

/**
 * The schema of the whole file and of its authorization policies, as {@code
 * docs/config-reference.md} describes them; services and clusters are in {@link RouteSchema} and
 * {@link ClusterSchema}.
 */
final class MeshSchema {
  /**
   * The value the root's {@code version} defaults to, given by the reader: a hash of the file's
   * content.
   */
  static final String CONTENT_VERSION = "contentVersion";

  /**
   * A source, written flat ({@code - principals: [...]}) or, so that an Istio policy's rules paste
   * in unchanged, in Istio's layout.
   */
  static final Schema<AuthorizationPolicy.Source> SOURCE =
      Schema.<AuthorizationPolicy.Source>of(
              v ->
                  new AuthorizationPolicy.Source(
                      v.get("principals"),
                      v.get("notPrincipals"),
                      v.get("namespaces"),
                      v.get("notNamespaces"),
                      v.get("requestPrincipals"),
                      v.get("notRequestPrincipals")),
              key("principals", STRINGS, List.of(), AuthorizationPolicy.Source::principals),
              key("notPrincipals", STRINGS, List.of(), AuthorizationPolicy.Source::notPrincipals),
              key("namespaces", STRINGS, List.of(), AuthorizationPolicy.Source::namespaces),
              key("notNamespaces", STRINGS, List.of(), AuthorizationPolicy.Source::notNamespaces),
              key(
                  "requestPrincipals",
                  STRINGS,
                  List.of(),
                  AuthorizationPolicy.Source::requestPrincipals),
              key(
                  "notRequestPrincipals",
                  STRINGS,
                  List.of(),
                  AuthorizationPolicy.Source::notRequestPrincipals))
          .wrappedIn("source");

  static final Schema<RequestAuthentication.JwtHeader> JWT_HEADER =
      Schema.<RequestAuthentication.JwtHeader>of(
          v -> new RequestAuthentication.JwtHeader(v.get("name"), v.get("prefix")),
          required("name", STRING, null, RequestAuthentication.JwtHeader::name),
          key("prefix", STRING, "", RequestAuthentication.JwtHeader::prefix));

  static final Schema<RequestAuthentication.ClaimToHeader> CLAIM_TO_HEADER =
      Schema.<RequestAuthentication.ClaimToHeader>of(
          v -> new RequestAuthentication.ClaimToHeader(v.get("header"), v.get("claim")),
          required("header", STRING, null, RequestAuthentication.ClaimToHeader::header),
          required("claim", STRING, null, RequestAuthentication.ClaimToHeader::claim));

  /** One accepted issuer, in Istio's JWTRule layout (plus clock skew and key set caching). */
  static final Schema<RequestAuthentication.JwtRule> JWT_RULE =
      Schema.<RequestAuthentication.JwtRule>of(
          v ->
              new RequestAuthentication.JwtRule(
                  v.get("issuer"),
                  v.get("audiences"),
                  v.get("jwksUri"),
                  v.get("jwks"),
                  v.get("fromHeaders"),
                  v.get("fromParams"),
                  v.get("outputClaimToHeaders"),
                  v.get("forwardOriginalToken"),
                  v.get("clockSkew"),
                  v.get("jwksCacheDuration"),
                  v.get("jwksRefreshMinInterval")),
          required("issuer", STRING, null, RequestAuthentication.JwtRule::issuer),
          key("audiences", STRINGS, List.of(), RequestAuthentication.JwtRule::audiences),
          key("jwksUri", STRING, null, RequestAuthentication.JwtRule::jwksUri),
          key("jwks", STRING, null, RequestAuthentication.JwtRule::jwks),
          key(
              "fromHeaders",
              list(JWT_HEADER),
              List.of(),
              RequestAuthentication.JwtRule::fromHeaders),
          key("fromParams", STRINGS, List.of(), RequestAuthentication.JwtRule::fromParams),
          key(
              "outputClaimToHeaders",
              list(CLAIM_TO_HEADER),
              List.of(),
              RequestAuthentication.JwtRule::outputClaimToHeaders),
          key(
              "forwardOriginalToken",
              BOOLEAN,
              false,
              RequestAuthentication.JwtRule::forwardOriginalToken),
          key(
              "clockSkew",
              DURATION,
              RequestAuthentication.JwtRule.DEFAULT_CLOCK_SKEW,
              RequestAuthentication.JwtRule::clockSkew),
          key(
              "jwksCacheDuration",
              DURATION,
              RequestAuthentication.JwtRule.DEFAULT_JWKS_CACHE_DURATION,
              RequestAuthentication.JwtRule::jwksCacheDuration),
          key(
              "jwksRefreshMinInterval",
              DURATION,
              RequestAuthentication.JwtRule.DEFAULT_JWKS_REFRESH_MIN_INTERVAL,
              RequestAuthentication.JwtRule::jwksRefreshMinInterval));

  static final Schema<RequestAuthentication> REQUEST_AUTHENTICATION =
      Schema.<RequestAuthentication>of(
          v -> new RequestAuthentication(v.get("name"), v.get("services"), v.get("jwtRules")),
          required("name", STRING, null, RequestAuthentication::name),
          key("services", STRINGS, List.of(), RequestAuthentication::services),
          key("jwtRules", list(JWT_RULE), List.of(), RequestAuthentication::jwtRules));

  /** An operation, flat or inside Istio's {@code operation:} key. */
  static final Schema<AuthorizationPolicy.Operation> OPERATION =
      includedAndExcluded(
          "operation",
          AuthorizationPolicy.Operation::new,
          "paths",
          AuthorizationPolicy.Operation::paths,
          "notPaths",
          AuthorizationPolicy.Operation::notPaths,
          "methods",
          AuthorizationPolicy.Operation::methods,
          "notMethods",
          AuthorizationPolicy.Operation::notMethods);

  static final Schema<AuthorizationPolicy.Condition> CONDITION =
      Schema.<AuthorizationPolicy.Condition>of(
          v -> new AuthorizationPolicy.Condition(v.get("key"), v.get("values"), v.get("notValues")),
          required("key", STRING, null, AuthorizationPolicy.Condition::key),
          key("values", STRINGS, List.of(), AuthorizationPolicy.Condition::values),
          key("notValues", STRINGS, List.of(), AuthorizationPolicy.Condition::notValues));

  static final Schema<AuthorizationPolicy.Rule> RULE =
      Schema.<AuthorizationPolicy.Rule>of(
          v -> new AuthorizationPolicy.Rule(v.get("from"), v.get("to"), v.get("when")),
          key("from", list(SOURCE), List.of(), AuthorizationPolicy.Rule::from),
          key("to", list(OPERATION), List.of(), AuthorizationPolicy.Rule::to),
          key("when", list(CONDITION), List.of(), AuthorizationPolicy.Rule::when));

  static final Schema<AuthorizationPolicy> POLICY =
      Schema.<AuthorizationPolicy>of(
          v ->
              new AuthorizationPolicy(
                  v.get("name"), v.get("services"), v.get("action"), v.get("rules")),
          required("name", STRING, null, AuthorizationPolicy::name),
          key("services", STRINGS, List.of(), AuthorizationPolicy::services),
          key(
              "action",
              enumOf(AuthorizationPolicy.Action.class),
              AuthorizationPolicy.Action.ALLOW,
              AuthorizationPolicy::action),
          key("rules", list(RULE), List.of(), AuthorizationPolicy::rules));

  /** How servers normalize request paths before authorization (Istio's pathNormalization). */
  static final Schema<PathNormalization> PATH_NORMALIZATION =
      Schema.<PathNormalization>of(
          v -> new PathNormalization(v.get("mergeSlashes"), v.get("escapedSlashes")),
          key(
              "mergeSlashes",
              BOOLEAN,
              PathNormalization.DEFAULT.mergeSlashes(),
              PathNormalization::mergeSlashes),
          key(
              "escapedSlashes",
              enumOf(PathNormalization.EscapedSlashes.class),
              PathNormalization.DEFAULT.escapedSlashes(),
              PathNormalization::escapedSlashes));

  /**
   * The whole file. Policies and path normalization are written only when not the defaults, as most
   * files have neither.
   */
  static final Schema<MeshConfig> ROOT =
      Schema.<MeshConfig>of(
          v ->
              new MeshConfig(
                  v.get("version"),
                  v.get("services"),
                  v.get("clusters"),
                  v.get("authorizationPolicies"),
                  v.get("pathNormalization"),
                  v.get("requestAuthentications")),
          derived("version", STRING, v -> v.get(CONTENT_VERSION), MeshConfig::version),
          key(
              "services",
              named(RouteSchema.SERVICE, Service::name),
              List.of(),
              MeshConfig::services),
          key(
              "clusters",
              named(ClusterSchema.CLUSTER, Cluster::name),
              List.of(),
              MeshConfig::clusters),
          key(
              "authorizationPolicies",
              list(POLICY),
              List.of(),
              c -> c.authorizationPolicies().isEmpty() ? null : c.authorizationPolicies()),
          key(
              "pathNormalization",
              record(PATH_NORMALIZATION),
              PathNormalization.DEFAULT,
              c ->
                  c.pathNormalization().equals(PathNormalization.DEFAULT)
                      ? null
                      : c.pathNormalization()),
          key(
              "requestAuthentications",
              list(REQUEST_AUTHENTICATION),
              List.of(),
              c -> c.requestAuthentications().isEmpty() ? null : c.requestAuthentications()));

  /** Makes a record from its four lists. */
  @FunctionalInterface
  private interface FourLists<R> {
    R make(List<String> a, List<String> b, List<String> c, List<String> d);
  }

  /**
   * Istio's shape for what a rule matches: two things, each as a list of values that match and a
   * list that does not ({@code principals} and {@code notPrincipals}), written flat or inside
   * {@code wrapper}.
   */
  private static <R> Schema<R> includedAndExcluded(
      String wrapper,
      FourLists<R> make,
      String k1,
      Function<R, List<String>> g1,
      String k2,
      Function<R, List<String>> g2,
      String k3,
      Function<R, List<String>> g3,
      String k4,
      Function<R, List<String>> g4) {
    return Schema.<R>of(
            v -> make.make(v.get(k1), v.get(k2), v.get(k3), v.get(k4)),
            key(k1, STRINGS, List.of(), g1),
            key(k2, STRINGS, List.of(), g2),
            key(k3, STRINGS, List.of(), g3),
            key(k4, STRINGS, List.of(), g4))
        .wrappedIn(wrapper);
  }

  private MeshSchema() {}
}
