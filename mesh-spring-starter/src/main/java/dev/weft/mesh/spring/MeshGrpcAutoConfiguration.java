package dev.weft.mesh.spring;

import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.grpc.MeshGrpc;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The mesh's gRPC side: a {@link MeshGrpc} bean whose {@code channel("ratings")} gives channels for
 * generated stubs, and, when Spring gRPC is present, a channel factory for {@code mesh:///service}
 * targets.
 */
@AutoConfiguration(after = MeshAutoConfiguration.class)
@ConditionalOnClass(MeshGrpc.class)
@ConditionalOnBean(Mesh.class)
public class MeshGrpcAutoConfiguration {

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  MeshGrpc meshGrpc(Mesh mesh) {
    return MeshGrpc.create(mesh);
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.grpc.client.GrpcChannelFactory")
  static class SpringGrpcConfiguration {
    @Bean
    @ConditionalOnMissingBean
    MeshGrpcChannelFactory meshGrpcChannelFactory(MeshGrpc grpc) {
      return new MeshGrpcChannelFactory(grpc);
    }
  }
}
