package dev.weft.mesh.spring;

import dev.weft.mesh.console.CanaryStatusProvider;
import dev.weft.mesh.console.DenialSource;
import dev.weft.mesh.console.MeshConsole;
import dev.weft.mesh.console.RecentDenials;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.security.AuditSink;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The live mesh console under the actuator ({@code /actuator/meshconsole}), when {@code
 * mesh-console} and the actuator are present and the endpoint is exposed: off by default, as every
 * actuator endpoint but health. The console shows the mesh's own canary guards, or those of a
 * {@link CanaryStatusProvider} bean when there is one, and denials from a {@link DenialSource}
 * bean; with {@code mesh-security} present a {@link RecentDenials} sink is registered, which the
 * starter's authorization enforcer audits to.
 */
@AutoConfiguration(after = MeshAutoConfiguration.class)
@ConditionalOnClass(
    value = MeshConsole.class,
    name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
@ConditionalOnBean(Mesh.class)
public class MeshConsoleAutoConfiguration {

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  @ConditionalOnAvailableEndpoint(MeshConsoleEndpoint.class)
  MeshConsole meshConsole(
      Mesh mesh,
      ObjectProvider<CanaryStatusProvider> canaries,
      ObjectProvider<DenialSource> denials) {
    MeshConsole.Builder b = MeshConsole.builder(mesh);
    canaries.ifUnique(b::canaries);
    denials.ifUnique(b::denials);
    return b.build();
  }

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnAvailableEndpoint(MeshConsoleEndpoint.class)
  MeshConsoleEndpoint meshConsoleEndpoint(MeshConsole console) {
    return new MeshConsoleEndpoint(console);
  }

  /** The audit sink that feeds the console's denials, when {@code mesh-security} is present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(AuditSink.class)
  static class DenialsConfiguration {
    @Bean
    @ConditionalOnMissingBean(DenialSource.class)
    @ConditionalOnAvailableEndpoint(MeshConsoleEndpoint.class)
    RecentDenials meshConsoleRecentDenials() {
      return RecentDenials.create();
    }
  }
}
