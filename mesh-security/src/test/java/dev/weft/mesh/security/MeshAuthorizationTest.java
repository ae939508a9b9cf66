package dev.weft.mesh.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.security.AuthorizationPolicy;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.core.StaticConfigSource;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MeshAuthorizationTest {

  private static MeshConfig config(String version, AuthorizationPolicy... policies) {
    MeshConfig.Builder b =
        MeshConfig.builder()
            .version(version)
            .cluster(Cluster.builder("reviews").endpoints(Endpoint.of("127.0.0.1", 9082)).build());
    for (AuthorizationPolicy p : policies) {
      b.authorizationPolicy(p);
    }
    return b.build();
  }

  private static AuthorizationRequest anonymous(String path) {
    return new AuthorizationRequest(Optional.empty(), path, "GET", RequestHeaders.NONE);
  }

  @Test
  void theEnforcerFollowsThePoliciesOfEveryAppliedConfiguration() {
    AuthorizationPolicy onlyProductpage =
        new AuthorizationPolicy(
            "reviews-viewer",
            List.of("reviews"),
            AuthorizationPolicy.Action.ALLOW,
            List.of(
                AuthorizationPolicy.Rule.from(
                    AuthorizationPolicy.Source.principals(
                        "spiffe://weft.test/ns/default/sa/productpage"))));
    StaticConfigSource source = new StaticConfigSource(config("1", onlyProductpage));
    AuthorizationEnforcer enforcer = AuthorizationEnforcer.builder().build();
    try (Mesh mesh = Mesh.builder().configSource(source).build();
        MeshAuthorization ignored = MeshAuthorization.follow(mesh, enforcer, "reviews")) {
      assertThat(enforcer.enforce(anonymous("/reviews/1")).allowed()).isFalse();

      source.update(config("2"));
      assertThat(enforcer.enforce(anonymous("/reviews/1")).allowed()).isTrue();

      AuthorizationPolicy ratingsAdmin =
          new AuthorizationPolicy(
              "no-admin",
              List.of("ratings"),
              AuthorizationPolicy.Action.DENY,
              List.of(AuthorizationPolicy.Rule.ANY));
      source.update(config("3", ratingsAdmin));
      assertThat(enforcer.enforce(anonymous("/admin")).allowed())
          .as("a policy for another service")
          .isTrue();
    }
  }

  /**
   * A source that delivers its configuration only when told to, like a control plane that has not
   * answered yet.
   */
  private static final class LateSource implements dev.weft.mesh.api.spi.ConfigSource {
    private volatile dev.weft.mesh.api.spi.ConfigListener listener;

    @Override
    public void start(dev.weft.mesh.api.spi.ConfigListener newListener) {
      this.listener = newListener;
    }

    void deliver(MeshConfig config) {
      listener.onConfig(config);
    }

    @Override
    public String description() {
      return "late";
    }

    @Override
    public void close() {}
  }

  @Test
  void untilTheMeshHasAConfigurationEveryRequestIsDenied() {
    LateSource source = new LateSource();
    AuthorizationEnforcer enforcer = AuthorizationEnforcer.builder().build();
    try (Mesh mesh = Mesh.builder().configSource(source).build();
        MeshAuthorization ignored = MeshAuthorization.follow(mesh, enforcer, "reviews")) {
      Decision waiting = enforcer.enforce(anonymous("/reviews/1"));
      assertThat(waiting.allowed()).isFalse();
      assertThat(waiting.policy()).isEqualTo(MeshAuthorization.AWAITING_CONFIGURATION);

      source.deliver(config("1"));
      assertThat(enforcer.enforce(anonymous("/reviews/1")).allowed())
          .as("no policies: everything is allowed")
          .isTrue();
    }
  }
}
