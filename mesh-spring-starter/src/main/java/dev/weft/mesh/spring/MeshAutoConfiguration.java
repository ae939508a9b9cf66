package dev.weft.mesh.spring;

import dev.weft.mesh.api.spi.ConfigSource;
import dev.weft.mesh.config.file.FileConfigSource;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.core.spi.CallGuardFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Builds the {@link Mesh} from {@code weft.mesh.*}: the configuration source, the application's
 * {@link MeterRegistry} and {@link OpenTelemetry} when present, and the {@link CallGuardFactory}
 * (see {@link MeshResilience4jAutoConfiguration}) when there is one. A user-defined {@link Mesh} or
 * {@link ConfigSource} bean replaces the one made here. Without {@code weft.mesh.config.file} (or
 * the xDS properties that {@link MeshXdsAutoConfiguration} reads, when {@code mesh-xds} is on the
 * class path) the starter backs off and says how to enable it.
 */
@AutoConfiguration(after = MeshXdsAutoConfiguration.class)
@ConditionalOnClass(Mesh.class)
@ConditionalOnBooleanProperty(name = "weft.mesh.enabled", matchIfMissing = true)
@EnableConfigurationProperties(MeshProperties.class)
public class MeshAutoConfiguration {

  /** The file source, when a file is named. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(FileConfigSource.class)
  @ConditionalOnProperty(prefix = "weft.mesh.config", name = "file")
  static class FileSourceConfiguration {

    @Bean
    @ConditionalOnMissingBean(ConfigSource.class)
    FileConfigSource meshConfigSource(MeshProperties properties) {
      return FileConfigSource.builder(properties.getConfig().getFile())
          .pollInterval(properties.getConfig().getPollInterval())
          .build();
    }
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  @ConditionalOnBean(ConfigSource.class)
  Mesh mesh(
      MeshProperties properties,
      ConfigSource configSource,
      ObjectProvider<MeterRegistry> meterRegistry,
      ObjectProvider<OpenTelemetry> openTelemetry,
      ObjectProvider<CallGuardFactory> callGuards) {
    Mesh.Builder builder =
        Mesh.builder()
            .name(properties.getName())
            .configSource(configSource)
            .startupWait(properties.getStartupWait());
    meterRegistry.ifAvailable(builder::meterRegistry);
    openTelemetry.ifAvailable(builder::openTelemetry);
    callGuards.ifAvailable(builder::callGuards);
    return builder.build();
  }

  @Bean
  static SmartInitializingSingleton meshNotConfiguredNotice(ListableBeanFactory beans) {
    return () -> {
      if (beans.getBeanNamesForType(Mesh.class, false, false).length == 0) {
        LoggerFactory.getLogger(MeshAutoConfiguration.class)
            .info(
                "Weft mesh is not configured, so no Mesh bean was created. Set weft.mesh.config.file=path/to/mesh.yaml, "
                    + "or weft.mesh.xds.targets=xds:///service:port with a gRPC xDS bootstrap (and mesh-xds on the class path), "
                    + "(or define a ConfigSource or Mesh bean) to enable it; weft.mesh.enabled=false silences this message.");
      }
    };
  }
}
