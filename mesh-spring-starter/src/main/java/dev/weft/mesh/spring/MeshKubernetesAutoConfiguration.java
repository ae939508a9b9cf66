package dev.weft.mesh.spring;

import dev.weft.mesh.api.spi.ConfigSource;
import dev.weft.mesh.config.file.FileConfigSource;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.kubernetes.KubernetesConfigSource;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The Kubernetes configuration source from {@code weft.mesh.kubernetes.*}, when {@code
 * mesh-kubernetes} is on the class path and {@code weft.mesh.kubernetes.enabled=true}. A named
 * {@code weft.mesh.config.file} is laid under it (the precedence is on {@link
 * KubernetesConfigSource.Builder#base}). A {@link KubernetesClient} bean is used when there is one;
 * otherwise the source builds its own as fabric8 finds the credentials. A user-defined {@link
 * ConfigSource} bean replaces the one made here. The mesh's health is DOWN until the first list of
 * every watched resource has completed, and {@code /actuator/mesh} shows the source's status: the
 * watches, the Services, clusters and endpoints in force, and each route's state.
 */
@AutoConfiguration(before = {MeshAutoConfiguration.class, MeshXdsAutoConfiguration.class})
@ConditionalOnClass({Mesh.class, KubernetesConfigSource.class})
@ConditionalOnBooleanProperty(name = "weft.mesh.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "weft.mesh.kubernetes.enabled")
@EnableConfigurationProperties({MeshKubernetesProperties.class, MeshProperties.class})
public class MeshKubernetesAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(ConfigSource.class)
  KubernetesConfigSource meshConfigSource(
      MeshKubernetesProperties kubernetes,
      MeshProperties properties,
      ObjectProvider<KubernetesClient> client) {
    KubernetesConfigSource.Builder b =
        KubernetesConfigSource.builder()
            .namespaces(kubernetes.getNamespaces())
            .services(kubernetes.getServices())
            .watchRoutes(kubernetes.isRoutes())
            .podLabels(kubernetes.isPodLabels())
            .checkPermissions(kubernetes.isCheckPermissions())
            .clusterDomain(kubernetes.getClusterDomain());
    client.ifAvailable(b::client);
    if (properties.getConfig().getFile() != null) {
      b.base(
          FileConfigSource.builder(properties.getConfig().getFile())
              .pollInterval(properties.getConfig().getPollInterval())
              .build());
    }
    return b.build();
  }
}
