package dev.weft.mesh.security;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.security.AuthorizationPolicy;
import dev.weft.mesh.core.Mesh;
import java.util.List;
import java.util.function.Consumer;

/**
 * Keeps an {@link AuthorizationEnforcer} on the authorization policies of the mesh's configuration:
 * every applied configuration (from the YAML file's {@code authorizationPolicies} or any other
 * source) replaces the enforcer's {@link Authorizer} with the policies that apply to the service,
 * its path normalization with the configuration's {@code pathNormalization}, and its request
 * authentication with the {@code requestAuthentications} that apply to the service.
 *
 * <pre>{@code
 * AuthorizationEnforcer enforcer = AuthorizationEnforcer.builder().build();
 * try (MeshAuthorization follow = MeshAuthorization.follow(mesh, enforcer, "reviews")) {
 *   // hand the enforcer to MeshServer / MeshHttpServerFilter / MeshServletFilter
 * }
 * }</pre>
 */
public final class MeshAuthorization implements AutoCloseable {
  private final Mesh mesh;
  private final Consumer<MeshConfig> listener;

  private MeshAuthorization(Mesh mesh, Consumer<MeshConfig> listener) {
    this.mesh = mesh;
    this.listener = listener;
  }

  /**
   * The policy an enforcer holds until the mesh has applied its first configuration: an ALLOW
   * policy without rules, so every request is denied rather than let through unchecked.
   */
  public static final String AWAITING_CONFIGURATION = "awaiting-mesh-configuration";

  /**
   * Makes {@code enforcer} follow the policies for {@code service} in every configuration the mesh
   * applies, starting with the one in force. Until the mesh has a configuration (an xDS source
   * waiting for its control plane), the enforcer denies every request with the policy {@value
   * #AWAITING_CONFIGURATION}: a server never serves unchecked while its policies are on their way.
   */
  public static MeshAuthorization follow(
      Mesh mesh, AuthorizationEnforcer enforcer, String service) {
    requireNonNull(mesh, "mesh");
    requireNonNull(enforcer, "enforcer");
    requireNonNull(service, "service");
    enforcer.update(Authorizer.of(List.of(AuthorizationPolicy.denyAll(AWAITING_CONFIGURATION))));
    Consumer<MeshConfig> listener = config -> enforcer.update(config, service);
    mesh.addConfigListener(listener);
    return new MeshAuthorization(mesh, listener);
  }

  /** Stops following the mesh's configuration; the enforcer keeps the policies it has. */
  @Override
  public void close() {
    mesh.removeConfigListener(listener);
  }
}
