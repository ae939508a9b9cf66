package dev.weft.mesh.xds;

import static dev.weft.mesh.testing.xds.RbacResources.chain;
import static dev.weft.mesh.testing.xds.RbacResources.hcm;
import static dev.weft.mesh.testing.xds.RbacResources.rbac;
import static dev.weft.mesh.testing.xds.RbacResources.serverListener;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import dev.weft.mesh.api.security.PathNormalization;
import dev.weft.mesh.api.security.PathNormalization.EscapedSlashes;
import dev.weft.mesh.xds.XdsValues.Listener;
import dev.weft.mesh.xds.internal.client.XdsResourceType;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.PathWithEscapedSlashesAction;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The server Listener's HttpConnectionManager path settings become the mesh's path normalization.
 */
class ServerPathNormalizationTest {
  private static final XdsResourceTypes TYPES =
      new XdsResourceTypes(Map.of(), Set.of(dev.weft.mesh.testing.xds.RbacResources.NAME));

  private static XdsResourceType.Parsed<Listener> parse(HttpConnectionManager hcm) {
    io.envoyproxy.envoy.config.listener.v3.Listener l =
        serverListener().toBuilder().clearFilterChains().addFilterChains(chain(hcm)).build();
    return TYPES.listeners.parse(Any.pack(l));
  }

  private static HttpConnectionManager withPaths(
      boolean merge, PathWithEscapedSlashesAction action) {
    return hcm(rbac("envoy.filters.http.rbac", RBAC.Action.ALLOW, Map.of())).toBuilder()
        .setMergeSlashes(merge)
        .setPathWithEscapedSlashesAction(action)
        .build();
  }

  @Test
  void mergeSlashesAndTheEscapedSlashActionAreTakenAsEnvoyMeansThem() {
    assertThat(
            parse(withPaths(true, PathWithEscapedSlashesAction.REJECT_REQUEST))
                .value()
                .normalization())
        .isEqualTo(new PathNormalization(true, EscapedSlashes.REJECT));
    assertThat(
            parse(withPaths(false, PathWithEscapedSlashesAction.KEEP_UNCHANGED))
                .value()
                .normalization())
        .isEqualTo(new PathNormalization(false, EscapedSlashes.KEEP));
    assertThat(
            parse(withPaths(true, PathWithEscapedSlashesAction.UNESCAPE_AND_FORWARD))
                .value()
                .normalization())
        .isEqualTo(new PathNormalization(true, EscapedSlashes.UNESCAPE));
    assertThat(
            parse(withPaths(false, PathWithEscapedSlashesAction.IMPLEMENTATION_SPECIFIC_DEFAULT))
                .value()
                .normalization())
        .as("the implementation-specific default is Weft's: refuse")
        .isEqualTo(new PathNormalization(false, EscapedSlashes.REJECT));
  }

  @Test
  void aRedirectIsRefusedNamingTheField() {
    XdsResourceType.Parsed<Listener> p =
        parse(withPaths(true, PathWithEscapedSlashesAction.UNESCAPE_AND_REDIRECT));
    assertThat(p.error())
        .contains("path_with_escaped_slashes_action")
        .contains("UNESCAPE_AND_REDIRECT is not supported");
  }

  @Test
  void filterChainsMustAgree() {
    io.envoyproxy.envoy.config.listener.v3.Listener l =
        serverListener().toBuilder()
            .clearFilterChains()
            .addFilterChains(chain(withPaths(true, PathWithEscapedSlashesAction.REJECT_REQUEST)))
            .addFilterChains(chain(withPaths(false, PathWithEscapedSlashesAction.REJECT_REQUEST)))
            .build();
    assertThat(TYPES.listeners.parse(Any.pack(l)).error())
        .contains("filter_chains[1]")
        .contains("normalizes paths other than filter_chains[0] does");
  }

  @Test
  void theTranslatedConfigurationCarriesIt() {
    Listener server = parse(withPaths(false, PathWithEscapedSlashesAction.KEEP_UNCHANGED)).value();
    XdsTranslator.Result r =
        XdsTranslator.translate(
            java.util.List.of(),
            server.name(),
            new XdsTranslator.State(
                Map.of(server.name(), java.util.Optional.of(server)),
                Map.of(),
                Map.of(),
                Map.of()));
    assertThat(r.complete()).isTrue();
    assertThat(r.config("1").pathNormalization())
        .isEqualTo(new PathNormalization(false, EscapedSlashes.KEEP));
  }
}
