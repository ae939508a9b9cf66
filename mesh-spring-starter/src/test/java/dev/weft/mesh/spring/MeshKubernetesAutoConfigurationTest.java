package dev.weft.mesh.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.mesh.api.spi.ConfigSource;
import dev.weft.mesh.kubernetes.KubernetesConfigSource;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class MeshKubernetesAutoConfigurationTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(MeshKubernetesAutoConfiguration.class))
          .withBean(
              KubernetesClient.class,
              () ->
                  new KubernetesClientBuilder()
                      .withConfig(
                          new ConfigBuilder(Config.empty())
                              .withMasterUrl("http://127.0.0.1:1")
                              .withNamespace("bookinfo")
                              .build())
                      .build());

  @Test
  void offUnlessEnabled() {
    runner.run(context -> assertThat(context).doesNotHaveBean(ConfigSource.class));
  }

  @Test
  void propertiesShapeTheSource() {
    runner
        .withPropertyValues(
            "weft.mesh.kubernetes.enabled=true",
            "weft.mesh.kubernetes.namespaces=bookinfo,shared",
            "weft.mesh.kubernetes.services=reviews,shared/ratings",
            "weft.mesh.kubernetes.routes=false")
        .run(
            context -> {
              assertThat(context).hasSingleBean(KubernetesConfigSource.class);
              KubernetesConfigSource source = context.getBean(KubernetesConfigSource.class);
              assertThat(source.description()).contains("[bookinfo, shared]");
              assertThat(source.status().get("namespaces"))
                  .isEqualTo(List.of("bookinfo", "shared"));
              assertThat(source.synced()).isFalse();
            });
  }

  @Test
  void absentWithoutTheModule() {
    runner
        .withPropertyValues("weft.mesh.kubernetes.enabled=true")
        .withClassLoader(new FilteredClassLoader(KubernetesConfigSource.class))
        .run(context -> assertThat(context).doesNotHaveBean(ConfigSource.class));
  }
}
