package dev.weft.mesh.config.file;

import static dev.weft.mesh.config.file.Schema.derived;
import static dev.weft.mesh.config.file.Schema.key;
import static dev.weft.mesh.config.file.Schema.required;
import static dev.weft.mesh.config.file.ValueType.STRING;
import static dev.weft.mesh.config.file.ValueType.STRINGS;
import static dev.weft.mesh.config.file.ValueType.enumOf;
import static dev.weft.mesh.config.file.ValueType.list;
import static dev.weft.mesh.config.file.ValueType.named;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.api.security.AuthorizationPolicy;
import java.util.List;

/**
 * The schema of the whole file and of its authorization policies, as {@code docs/config-reference.md}
 * describes them; services and clusters are in {@link RouteSchema} and {@link ClusterSchema}.
 */
final class MeshSchema {
  /** The value the root's {@code version} defaults to, given by the reader: a hash of the file's content. */
  static final String CONTENT_VERSION = "contentVersion";

  /** A source, written flat ({@code - principals: [...]}) or, so that an Istio policy's rules paste in unchanged, in Istio's layout. */
  static final Schema<AuthorizationPolicy.Source> SOURCE = Schema.<AuthorizationPolicy.Source>of(
      v -> new AuthorizationPolicy.Source(v.get("principals"), v.get("notPrincipals"), v.get("namespaces"), v.get("notNamespaces")),
      key("principals", STRINGS, List.of(), AuthorizationPolicy.Source::principals),
      key("notPrincipals", STRINGS, List.of(), AuthorizationPolicy.Source::notPrincipals),
      key("namespaces", STRINGS, List.of(), AuthorizationPolicy.Source::namespaces),
      key("notNamespaces", STRINGS, List.of(), AuthorizationPolicy.Source::notNamespaces))
      .wrappedIn("source");

  /** An operation, flat or inside Istio's {@code operation:} key. */
  static final Schema<AuthorizationPolicy.Operation> OPERATION = Schema.<AuthorizationPolicy.Operation>of(
      v -> new AuthorizationPolicy.Operation(v.get("paths"), v.get("notPaths"), v.get("methods"), v.get("notMethods")),
      key("paths", STRINGS, List.of(), AuthorizationPolicy.Operation::paths),
      key("notPaths", STRINGS, List.of(), AuthorizationPolicy.Operation::notPaths),
      key("methods", STRINGS, List.of(), AuthorizationPolicy.Operation::methods),
      key("notMethods", STRINGS, List.of(), AuthorizationPolicy.Operation::notMethods))
      .wrappedIn("operation");

  static final Schema<AuthorizationPolicy.Condition> CONDITION = Schema.<AuthorizationPolicy.Condition>of(
      v -> new AuthorizationPolicy.Condition(v.get("key"), v.get("values"), v.get("notValues")),
      required("key", STRING, null, AuthorizationPolicy.Condition::key),
      key("values", STRINGS, List.of(), AuthorizationPolicy.Condition::values),
      key("notValues", STRINGS, List.of(), AuthorizationPolicy.Condition::notValues));

  static final Schema<AuthorizationPolicy.Rule> RULE = Schema.<AuthorizationPolicy.Rule>of(
      v -> new AuthorizationPolicy.Rule(v.get("from"), v.get("to"), v.get("when")),
      key("from", list(SOURCE), List.of(), AuthorizationPolicy.Rule::from),
      key("to", list(OPERATION), List.of(), AuthorizationPolicy.Rule::to),
      key("when", list(CONDITION), List.of(), AuthorizationPolicy.Rule::when));

  static final Schema<AuthorizationPolicy> POLICY = Schema.<AuthorizationPolicy>of(
      v -> new AuthorizationPolicy(v.get("name"), v.get("services"), v.get("action"), v.get("rules")),
      required("name", STRING, null, AuthorizationPolicy::name),
      key("services", STRINGS, List.of(), AuthorizationPolicy::services),
      key("action", enumOf(AuthorizationPolicy.Action.class), AuthorizationPolicy.Action.ALLOW, AuthorizationPolicy::action),
      key("rules", list(RULE), List.of(), AuthorizationPolicy::rules));

  /** The whole file. Policies are written only when there are some, as most files have none. */
  static final Schema<MeshConfig> ROOT = Schema.<MeshConfig>of(
      v -> new MeshConfig(v.get("version"), v.get("services"), v.get("clusters"), v.get("authorizationPolicies")),
      derived("version", STRING, v -> v.get(CONTENT_VERSION), MeshConfig::version),
      key("services", named(RouteSchema.SERVICE, Service::name), List.of(), MeshConfig::services),
      key("clusters", named(ClusterSchema.CLUSTER, Cluster::name), List.of(), MeshConfig::clusters),
      key("authorizationPolicies", list(POLICY), List.of(),
          c -> c.authorizationPolicies().isEmpty() ? null : c.authorizationPolicies()));

  private MeshSchema() {}
}
