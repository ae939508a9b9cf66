package dev.weft.mesh.spring;

import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.grpc.MeshGrpc;
import dev.weft.mesh.grpc.MeshGrpcRegistration;
import dev.weft.mesh.security.tls.WorkloadTls;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The mesh's gRPC side: a {@link MeshGrpc} bean whose {@code channel("ratings")} gives channels for
 * generated stubs, and, when Spring gRPC is present, a channel factory for {@code mesh:///service}
 * targets. With a {@link WorkloadTls} bean (see {@link MeshSecurityAutoConfiguration}), clusters
 * whose {@code tls} block asks for TLS are called over it. The {@link MeshGrpc} bean is registered
 * as the process default ({@link MeshGrpc#registerDefault()}), so that channels the application
 * builds itself with {@code ManagedChannelBuilder.forTarget("mesh:///ratings")} go through the mesh
 * too, until the context closes.
 */
@AutoConfiguration(after = MeshAutoConfiguration.class)
@ConditionalOnClass(MeshGrpc.class)
@ConditionalOnBean(Mesh.class)
public class MeshGrpcAutoConfiguration {

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  MeshGrpc meshGrpc(Mesh mesh, ObjectProvider<WorkloadTls> workloadTls) {
    MeshGrpc.Builder b = MeshGrpc.builder(mesh);
    workloadTls.ifAvailable(b::workloadTls);
    return b.build();
  }

  /**
   * Makes the context's {@link MeshGrpc} the process default for {@code mesh:///service} targets of
   * plain grpc-java channels; the registration ends when the context closes. Backs off when the
   * application defines its own {@link MeshGrpcRegistration} bean, or with {@code
   * weft.mesh.grpc.register-default=false}.
   */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnProperty(
      name = "weft.mesh.grpc.register-default",
      havingValue = "true",
      matchIfMissing = true)
  MeshGrpcRegistration meshGrpcDefaultRegistration(MeshGrpc grpc) {
    return grpc.registerDefault();
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
