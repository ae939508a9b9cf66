package dev.weft.mesh.spring;

import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.http.MeshHttpClient;
import dev.weft.mesh.security.tls.WorkloadTls;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.support.RestClientHttpServiceGroupConfigurer;

/**
 * The mesh's HTTP side: a {@link MeshHttpClient} bean, annotated {@code @MeshClient} interfaces as
 * beans (see {@link EnableMeshClients}), and, with Spring's RestClient, HTTP service groups
 * ({@code @ImportHttpServices} / {@code @HttpExchange} interfaces) whose requests for mesh services
 * go through the mesh.
 */
@AutoConfiguration(after = MeshAutoConfiguration.class)
@ConditionalOnClass(MeshHttpClient.class)
@ConditionalOnBean(Mesh.class)
public class MeshHttpAutoConfiguration {

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  MeshHttpClient meshHttpClient(
      Mesh mesh, MeshProperties properties, ObjectProvider<WorkloadTls> workloadTls) {
    MeshHttpClient.Builder b =
        MeshHttpClient.builder(mesh).connectTimeout(properties.getHttp().getConnectTimeout());
    workloadTls.ifAvailable(b::workloadTls);
    if (properties.getHttp().getDefaultTimeout() != null) {
      b.defaultTimeout(properties.getHttp().getDefaultTimeout());
    }
    return b.build();
  }

  @Bean
  @ConditionalOnMissingBean
  static MeshClientsRegistrar meshClientsRegistrar() {
    return new MeshClientsRegistrar();
  }

  /** RestClient support: a request factory that sends mesh-service URLs through the mesh. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.web.client.RestClient")
  static class RestClientConfiguration {

    @Bean
    @ConditionalOnMissingBean
    MeshClientHttpRequestFactory meshClientHttpRequestFactory(MeshHttpClient client) {
      return new MeshClientHttpRequestFactory(client);
    }

    @Bean
    @ConditionalOnBooleanProperty(name = "weft.mesh.http.rest-client", matchIfMissing = true)
    @ConditionalOnClass(RestClientHttpServiceGroupConfigurer.class)
    RestClientHttpServiceGroupConfigurer meshHttpServiceGroupConfigurer(
        MeshClientHttpRequestFactory factory) {
      return groups -> groups.forEachClient((group, builder) -> builder.requestFactory(factory));
    }
  }
}
