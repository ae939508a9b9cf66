package dev.weft.mesh.spring;

import dev.weft.mesh.api.spi.ConfigSource;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.config.file.FileConfigSource;
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
 * {@link MeterRegistry} and {@link OpenTelemetry} when present. A user-defined {@link Mesh} or
 * {@link ConfigSource} bean replaces the one made here. Without {@code weft.mesh.config.file} the
 * starter backs off and says how to enable it.
 */
@AutoConfiguration
@ConditionalOnClass(Mesh.class)
@ConditionalOnBooleanProperty(name = "weft.mesh.enabled", matchIfMissing = true)
@EnableConfigurationProperties(MeshProperties.class)
public class MeshAutoConfiguration {

  /** The file source, when a file is named. */
  @Configuration(proxyBeanMethods = false)
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

  /** The xDS source, when targets or a server listener are named and no file is. */
  @Configuration(proxyBeanMethods = false)
  @org.springframework.context.annotation.Conditional(XdsTargetsCondition.class)
  @org.springframework.boot.autoconfigure.condition.ConditionalOnClass(name = "dev.weft.mesh.xds.XdsConfigSource")
  static class XdsSourceConfiguration {

    @Bean
    @ConditionalOnMissingBean(ConfigSource.class)
    dev.weft.mesh.xds.XdsConfigSource meshConfigSource(MeshProperties properties, ObjectProvider<MeterRegistry> meterRegistry) {
      MeshProperties.Xds xds = properties.getXds();
      dev.weft.mesh.xds.bootstrap.Bootstrap bootstrap = xds.getBootstrap() != null
          ? dev.weft.mesh.xds.bootstrap.BootstrapLoader.fromFile(xds.getBootstrap())
          : dev.weft.mesh.xds.bootstrap.BootstrapLoader.fromEnvironment();
      dev.weft.mesh.xds.XdsConfigSource.Builder b = dev.weft.mesh.xds.XdsConfigSource.builder(bootstrap)
          .targets(xds.getTargets());
      if (xds.getServerListener() != null && !xds.getServerListener().isBlank()) {
        b.serverListener(xds.getServerListener());
        if (properties.getServer().getService() == null || properties.getServer().getService().isBlank()) {
          LoggerFactory.getLogger(MeshAutoConfiguration.class).warn(
              "weft.mesh.xds.server-listener is set but weft.mesh.server.service is not: the authorization policies of the "
                  + "server Listener are read but the starter enforces them on no server; set weft.mesh.server.service "
                  + "(or enforce them yourself with MeshAuthorization.follow)");
        }
      }
      if (xds.getCacheDirectory() != null) {
        b.cacheDirectory(xds.getCacheDirectory());
      }
      meterRegistry.ifAvailable(b::meterRegistry);
      return b.build();
    }
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  @ConditionalOnBean(ConfigSource.class)
  Mesh mesh(MeshProperties properties, ConfigSource configSource, ObjectProvider<MeterRegistry> meterRegistry,
      ObjectProvider<OpenTelemetry> openTelemetry) {
    Mesh.Builder builder = Mesh.builder().name(properties.getName()).configSource(configSource);
    meterRegistry.ifAvailable(builder::meterRegistry);
    openTelemetry.ifAvailable(builder::openTelemetry);
    return builder.build();
  }

  @Bean
  static SmartInitializingSingleton meshNotConfiguredNotice(ListableBeanFactory beans) {
    return () -> {
      if (beans.getBeanNamesForType(Mesh.class, false, false).length == 0) {
        LoggerFactory.getLogger(MeshAutoConfiguration.class).info(
            "Weft mesh is not configured, so no Mesh bean was created. Set weft.mesh.config.file=path/to/mesh.yaml, "
                + "or weft.mesh.xds.targets=xds:///service:port with a gRPC xDS bootstrap, "
                + "(or define a ConfigSource or Mesh bean) to enable it; weft.mesh.enabled=false silences this message.");
      }
    };
  }

  /**
   * Matches when {@code weft.mesh.xds.targets} names at least one target, in list or comma form, or
   * {@code weft.mesh.xds.server-listener} is set.
   */
  static final class XdsTargetsCondition implements org.springframework.context.annotation.Condition {
    @Override
    public boolean matches(org.springframework.context.annotation.ConditionContext context,
        org.springframework.core.type.AnnotatedTypeMetadata metadata) {
      return org.springframework.boot.context.properties.bind.Binder.get(context.getEnvironment())
          .bind("weft.mesh.xds.targets", org.springframework.boot.context.properties.bind.Bindable.listOf(String.class))
          .map(list -> !list.isEmpty()).orElse(false)
          || !context.getEnvironment().getProperty("weft.mesh.xds.server-listener", "").isBlank();
    }
  }
}
