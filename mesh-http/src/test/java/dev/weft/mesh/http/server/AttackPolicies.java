package dev.weft.mesh.http.server;

import dev.weft.mesh.api.security.AuthorizationPolicy;
import dev.weft.mesh.api.security.AuthorizationPolicy.Action;
import dev.weft.mesh.api.security.AuthorizationPolicy.Condition;
import dev.weft.mesh.api.security.AuthorizationPolicy.Operation;
import dev.weft.mesh.api.security.AuthorizationPolicy.Rule;
import dev.weft.mesh.security.AuthorizationEnforcer;
import dev.weft.mesh.security.Authorizer;
import java.util.List;

/** The two policy shapes the attack tables run against. */
enum AttackPolicies {
  /** DENY {@code /admin*} (any method), and DENY any request that carries {@code x-debug}. */
  DENY {
    @Override
    List<AuthorizationPolicy> policies() {
      return List.of(
          AuthorizationPolicy.of("no-admin", Action.DENY, Rule.ANY.to(Operation.paths("/admin*"))),
          AuthorizationPolicy.of(
              "no-debug",
              Action.DENY,
              Rule.ANY.when(new Condition("request.headers[x-debug]", List.of("*"), List.of()))));
    }
  },
  /** ALLOW only {@code GET /public*} from tenant {@code t1}: everything else is denied. */
  ALLOW_ONLY {
    @Override
    List<AuthorizationPolicy> policies() {
      return List.of(
          AuthorizationPolicy.of(
              "public-reads",
              Action.ALLOW,
              Rule.ANY
                  .to(new Operation(List.of("/public*"), List.of(), List.of("GET"), List.of()))
                  .when(Condition.header("x-tenant", "t1"))));
    }
  };

  abstract List<AuthorizationPolicy> policies();

  AuthorizationEnforcer enforcer() {
    AuthorizationEnforcer e = AuthorizationEnforcer.builder().build();
    e.update(Authorizer.of(policies()));
    return e;
  }
}
