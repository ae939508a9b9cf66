package dev.weft.mesh.spring;

import dev.weft.mesh.api.spi.ConfigSource;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.xds.XdsConfigSource;
import dev.weft.mesh.xds.bootstrap.Bootstrap;
import dev.weft.mesh.xds.bootstrap.BootstrapLoader;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The xDS configuration source from {@code weft.mesh.xds.*}, when {@code mesh-xds} is on the class
 * path and a target or a server listener is named. The xDS client is an optional dependency of the
 * starter: an application configured from a YAML file alone does not carry Netty, protobuf or the
 * Envoy API. A user-defined {@link ConfigSource} bean replaces the one made here.
 */
@AutoConfiguration
@ConditionalOnClass({Mesh.class, XdsConfigSource.class})
@ConditionalOnBooleanProperty(name = "weft.mesh.enabled", matchIfMissing = true)
@Conditional(MeshXdsAutoConfiguration.XdsTargetsCondition.class)
@EnableConfigurationProperties(MeshProperties.class)
public class MeshXdsAutoConfiguration {

  /**
   * The xDS source; a configuration file, when also named, wins (the file source is made first).
   */
  @Bean
  @ConditionalOnMissingBean(ConfigSource.class)
  XdsConfigSource meshConfigSource(
      MeshProperties properties, ObjectProvider<MeterRegistry> meterRegistry) {
    MeshProperties.Xds xds = properties.getXds();
    Bootstrap bootstrap =
        xds.getBootstrap() != null
            ? BootstrapLoader.fromFile(xds.getBootstrap())
            : BootstrapLoader.fromEnvironment();
    XdsConfigSource.Builder b = XdsConfigSource.builder(bootstrap).targets(xds.getTargets());
    if (xds.getServerListener() != null && !xds.getServerListener().isBlank()) {
      b.serverListener(xds.getServerListener());
      if (properties.getServer().getService() == null
          || properties.getServer().getService().isBlank()) {
        LoggerFactory.getLogger(MeshXdsAutoConfiguration.class)
            .warn(
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

  /**
   * Matches when {@code weft.mesh.xds.targets} names at least one target, in list or comma form, or
   * {@code weft.mesh.xds.server-listener} is set, and no configuration file is named.
   */
  static final class XdsTargetsCondition implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      if (!context.getEnvironment().getProperty("weft.mesh.config.file", "").isBlank()) {
        return false;
      }
      return Binder.get(context.getEnvironment())
              .bind("weft.mesh.xds.targets", Bindable.listOf(String.class))
              .map(list -> !list.isEmpty())
              .orElse(false)
          || !context.getEnvironment().getProperty("weft.mesh.xds.server-listener", "").isBlank();
    }
  }
}
