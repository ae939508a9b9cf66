package dev.weft.mesh.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.mesh.grpc.MeshGrpc;
import dev.weft.mesh.grpc.MeshGrpcRegistration;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The starter registers its MeshGrpc as the process default for mesh:/// targets, and backs off.
 */
class MeshGrpcDefaultRegistrationTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  MeshXdsAutoConfiguration.class,
                  MeshAutoConfiguration.class,
                  MeshGrpcAutoConfiguration.class));

  @TempDir Path dir;
  private Path config;

  /** Another test's cached application context may hold a registration of its own. */
  private java.util.Optional<MeshGrpc> before;

  @BeforeEach
  void writeConfig() throws Exception {
    before = MeshGrpc.registeredDefault();
    config = dir.resolve("mesh.yaml");
    Files.writeString(
        config,
        """
        clusters:
          simple:
            endpoints:
              - address: 127.0.0.1:1
        """);
  }

  @AfterEach
  void theDefaultBeforeTheContextIsRestored() {
    assertThat(MeshGrpc.registeredDefault())
        .as("the default once the context closed")
        .isEqualTo(before);
  }

  @Test
  void theMeshGrpcBeanIsTheDefaultWhileTheContextIsOpen() {
    runner
        .withPropertyValues("weft.mesh.config.file=" + config)
        .run(
            context -> {
              assertThat(context).hasSingleBean(MeshGrpcRegistration.class);
              MeshGrpc grpc = context.getBean(MeshGrpc.class);
              assertThat(context.getBean(MeshGrpcRegistration.class).grpc()).isSameAs(grpc);
              assertThat(MeshGrpc.registeredDefault()).containsSame(grpc);
            });
  }

  @Test
  void aMeshGrpcTheApplicationBuiltIsRegisteredToo() {
    runner
        .withPropertyValues("weft.mesh.config.file=" + config)
        .withUserConfiguration(OwnClient.class)
        .run(
            context -> {
              MeshGrpc own = context.getBean(MeshGrpc.class);
              assertThat(own.mesh()).isSameAs(context.getBean(dev.weft.mesh.core.Mesh.class));
              assertThat(MeshGrpc.registeredDefault()).containsSame(own);
            });
  }

  @Test
  void backsOffWhenTheApplicationRegistersItself() {
    runner
        .withPropertyValues("weft.mesh.config.file=" + config)
        .withUserConfiguration(OwnRegistration.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(MeshGrpcRegistration.class);
              assertThat(context.getBean(MeshGrpcRegistration.class))
                  .isSameAs(context.getBean("ownRegistration"));
            });
  }

  @Test
  void canBeTurnedOff() {
    runner
        .withPropertyValues(
            "weft.mesh.config.file=" + config, "weft.mesh.grpc.register-default=false")
        .run(
            context -> {
              assertThat(context).hasSingleBean(MeshGrpc.class);
              assertThat(context).doesNotHaveBean(MeshGrpcRegistration.class);
              assertThat(MeshGrpc.registeredDefault()).isEqualTo(before);
            });
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnClient {
    @Bean(destroyMethod = "close")
    MeshGrpc ownMeshGrpc(dev.weft.mesh.core.Mesh mesh) {
      return MeshGrpc.builder(mesh).idempotentMethodsOnly(true).build();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnRegistration {
    @Bean
    MeshGrpcRegistration ownRegistration(MeshGrpc grpc) {
      return grpc.registerDefault();
    }
  }
}
