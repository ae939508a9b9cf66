package dev.weft.mesh.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.http.MeshHttpClient;
import dev.weft.mesh.spring.clients.ReviewsClient;
import dev.weft.mesh.spring.clients.ReviewsExchange;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.service.registry.ImportHttpServices;

@ExtendWith(OutputCaptureExtension.class)
class MeshAutoConfigurationTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  MeshXdsAutoConfiguration.class,
                  MeshAutoConfiguration.class,
                  MeshHttpAutoConfiguration.class,
                  MeshActuatorAutoConfiguration.class,
                  org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration
                      .class,
                  org.springframework.boot.restclient.autoconfigure.service
                      .HttpServiceClientAutoConfiguration.class,
                  org.springframework.boot.http.client.autoconfigure.service
                      .HttpServiceClientPropertiesAutoConfiguration.class,
                  org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration
                      .class,
                  org.springframework.boot.http.client.autoconfigure.imperative
                      .ImperativeHttpClientAutoConfiguration.class));

  @TempDir Path dir;
  private TestBackends backends;

  @BeforeEach
  void start() throws Exception {
    backends = new TestBackends(dir);
  }

  @AfterEach
  void stop() {
    backends.close();
  }

  @Test
  void aConfigFilePropertyAloneGivesAWorkingMesh() {
    runner
        .withPropertyValues(backends.property())
        .run(
            context -> {
              assertThat(context)
                  .hasSingleBean(Mesh.class)
                  .hasSingleBean(MeshHttpClient.class)
                  .hasSingleBean(MeshHealthIndicator.class);
              Mesh mesh = context.getBean(Mesh.class);
              assertThat(mesh.ready()).isTrue();
              assertThat(mesh.configVersion()).isEqualTo("test-1");
              assertThat(context.getBean(MeshHealthIndicator.class).health().getStatus().getCode())
                  .isEqualTo("UP");
            });
  }

  @Test
  void xdsTargetsAndABootstrapGiveAMeshThatIsDownUntilTheControlPlaneAnswers() throws Exception {
    Path bootstrap = dir.resolve("bootstrap.json");
    java.nio.file.Files.writeString(
        bootstrap,
        """
        {"xds_servers": [{"server_uri": "127.0.0.1:1", "channel_creds": [{"type": "insecure"}]}],
         "node": {"id": "starter-test"}}
        """);
    runner
        .withPropertyValues(
            "weft.mesh.xds.targets=xds:///reviews:9080", "weft.mesh.xds.bootstrap=" + bootstrap)
        .run(
            context -> {
              assertThat(context)
                  .hasSingleBean(Mesh.class)
                  .hasSingleBean(dev.weft.mesh.xds.XdsConfigSource.class);
              Mesh mesh = context.getBean(Mesh.class);
              assertThat(mesh.ready()).isFalse();
              assertThat(mesh.configSourceDescription()).contains("127.0.0.1:1");
              assertThat(context.getBean(MeshHealthIndicator.class).health().getStatus().getCode())
                  .isEqualTo("DOWN");
            });
  }

  @Test
  void aServerListenerAddressWatchesTheListenerTheBootstrapNamesForIt(CapturedOutput output)
      throws Exception {
    Path bootstrap = dir.resolve("bootstrap.json");
    java.nio.file.Files.writeString(
        bootstrap,
        """
        {"xds_servers": [{"server_uri": "127.0.0.1:1", "channel_creds": [{"type": "insecure"}]}],
         "node": {"id": "starter-test"},
         "server_listener_resource_name_template": "xds.istio.io/grpc/lds/inbound/%s"}
        """);
    runner
        .withPropertyValues(
            "weft.mesh.xds.server-listener=0.0.0.0:9080", "weft.mesh.xds.bootstrap=" + bootstrap)
        .run(
            context -> {
              assertThat(context)
                  .hasNotFailed()
                  .hasSingleBean(dev.weft.mesh.xds.XdsConfigSource.class);
              assertThat(
                      context.getBean(dev.weft.mesh.xds.XdsConfigSource.class).serverListenerName())
                  .contains("xds.istio.io/grpc/lds/inbound/0.0.0.0:9080");
              assertThat(output)
                  .as("no service to enforce the policies on")
                  .contains("weft.mesh.server.service is not");
            });
  }

  @Test
  void aServerListenerWithoutATemplateInTheBootstrapFailsSayingSo() throws Exception {
    Path bootstrap = dir.resolve("bootstrap.json");
    java.nio.file.Files.writeString(
        bootstrap,
        """
        {"xds_servers": [{"server_uri": "127.0.0.1:1", "channel_creds": [{"type": "insecure"}]}],
         "node": {"id": "starter-test"}}
        """);
    runner
        .withPropertyValues(
            "weft.mesh.xds.server-listener=0.0.0.0:9080", "weft.mesh.xds.bootstrap=" + bootstrap)
        .run(
            context ->
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("server_listener_resource_name_template"));
  }

  @Test
  void withoutAnyWeftPropertyTheStarterBacksOffAndSaysHowToEnableIt(CapturedOutput output) {
    runner.run(
        context -> {
          assertThat(context)
              .hasNotFailed()
              .doesNotHaveBean(Mesh.class)
              .doesNotHaveBean(MeshHttpClient.class);
          assertThat(output).contains("weft.mesh.config.file");
        });
  }

  @Test
  void theStarterBacksOffWithoutTheHttpModule() {
    runner
        .withPropertyValues(backends.property())
        .withClassLoader(new FilteredClassLoader(MeshHttpClient.class))
        .run(
            context ->
                assertThat(context)
                    .hasSingleBean(Mesh.class)
                    .doesNotHaveBean(MeshHttpClient.class));
  }

  @Test
  void withoutTheXdsArtifactAFileConfiguredMeshWorksAndXdsPropertiesAreLeftAlone() {
    // as in an application that depends on the starter and mesh-config-file but not on mesh-xds
    FilteredClassLoader noXds =
        new FilteredClassLoader("dev.weft.mesh.xds.", "io.envoyproxy.", "io.grpc.netty.");
    runner
        .withClassLoader(noXds)
        .withPropertyValues(backends.property())
        .run(
            context -> {
              assertThat(context)
                  .hasNotFailed()
                  .hasSingleBean(Mesh.class)
                  .hasSingleBean(MeshHttpClient.class);
              assertThat(context.getBean(Mesh.class).configVersion()).isEqualTo("test-1");
              assertThat(context.getBeanNamesForType(dev.weft.mesh.api.spi.ConfigSource.class))
                  .hasSize(1);
              assertThat(context.getBean(dev.weft.mesh.api.spi.ConfigSource.class))
                  .isInstanceOf(dev.weft.mesh.config.file.FileConfigSource.class);
            });
    runner
        .withClassLoader(noXds)
        .withPropertyValues("weft.mesh.xds.targets=xds:///reviews:9080")
        .run(
            context -> {
              assertThat(context).hasNotFailed().doesNotHaveBean(Mesh.class);
              assertThat(context.getBeanNamesForType(dev.weft.mesh.api.spi.ConfigSource.class))
                  .isEmpty();
            });
  }

  @Test
  void aFileNamedBesideXdsTargetsWins() {
    runner
        .withPropertyValues(backends.property(), "weft.mesh.xds.targets=xds:///reviews:9080")
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(Mesh.class);
              assertThat(context.getBean(dev.weft.mesh.api.spi.ConfigSource.class))
                  .isInstanceOf(dev.weft.mesh.config.file.FileConfigSource.class);
              assertThat(context.getBean(Mesh.class).configVersion()).isEqualTo("test-1");
            });
  }

  @Test
  void aUserDefinedMeshReplacesTheAutoConfiguredOne() {
    runner
        .withPropertyValues(backends.property())
        .withUserConfiguration(UserMesh.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(Mesh.class);
              assertThat(context.getBean(Mesh.class).configVersion()).isEqualTo("user");
            });
  }

  @Test
  void meshClientAndHttpExchangeInterfacesReachTheBackendsWithWeightedRouting() {
    runner
        .withPropertyValues(backends.property())
        .withUserConfiguration(Clients.class)
        .run(
            context -> {
              ReviewsClient meshClient = context.getBean(ReviewsClient.class);
              ReviewsExchange exchange = context.getBean(ReviewsExchange.class);
              int n = 1000;
              int v1 = 0;
              for (int i = 0; i < n; i++) {
                if (meshClient.review(i).equals("v1")) {
                  v1++;
                }
                if (exchange.review(i).equals("v1")) {
                  v1++;
                }
              }
              assertThat(100.0 * v1 / (2 * n)).isBetween(76.0, 84.0);
              assertThat(
                      backends.v1.getAllServeEvents().size()
                          + backends.v2.getAllServeEvents().size())
                  .isEqualTo(2 * n);
            });
  }

  @Configuration(proxyBeanMethods = false)
  static class UserMesh {
    @Bean(destroyMethod = "close")
    Mesh mesh() {
      return Mesh.builder()
          .config(
              MeshConfig.builder()
                  .version("user")
                  .cluster(Cluster.builder("x").endpoints(Endpoint.of("127.0.0.1", 1)).build())
                  .build())
          .build();
    }
  }

  @Configuration(proxyBeanMethods = false)
  @EnableMeshClients(basePackageClasses = ReviewsClient.class)
  @ImportHttpServices(types = ReviewsExchange.class)
  static class Clients {}
}
