package dev.weft.mesh.spring;

import dev.weft.mesh.core.Mesh;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code mesh} actuator endpoint and health indicator, when Spring Boot's actuator is present.
 */
@AutoConfiguration(after = MeshAutoConfiguration.class)
@ConditionalOnBean(Mesh.class)
public class MeshActuatorAutoConfiguration {

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
  static class EndpointConfiguration {
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint(MeshEndpoint.class)
    MeshEndpoint meshEndpoint(Mesh mesh) {
      return new MeshEndpoint(mesh);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  static class HealthConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "meshHealthIndicator")
    MeshHealthIndicator meshHealthIndicator(Mesh mesh) {
      return new MeshHealthIndicator(mesh);
    }
  }
}
