package dev.weft.mesh.spring;

import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.security.AuditSink;
import dev.weft.mesh.security.AuthorizationEnforcer;
import dev.weft.mesh.security.MeshAuthorization;
import dev.weft.mesh.security.tls.WorkloadTls;
import dev.weft.mesh.spring.internal.WorkloadTomcatSslImplementation;
import dev.weft.mesh.spring.internal.WorkloadTrustStores;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.ssl.SslBundleRegistrar;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * The workload's security from {@code weft.mesh.security.*} and {@code weft.mesh.server.*}:
 *
 * <ul>
 *   <li>a {@link WorkloadTls} from the certificate files (watched for rotation), which the mesh's
 *       gRPC and HTTP clients use for clusters whose {@code tls} block asks for TLS;
 *   <li>an SSL bundle of the same certificate (named by {@code weft.mesh.security.ssl-bundle},
 *       {@code weft} by default, and updated when the files rotate) for the application's own
 *       servers: {@code server.ssl.bundle=weft} with {@code server.ssl.client-auth=need}; peers are
 *       verified by Weft's trust manager (on Tomcat too), as Weft's own servers verify them;
 *   <li>with {@code weft.mesh.server.service}, an {@link AuthorizationEnforcer} that follows the
 *       mesh configuration's authorization policies for that service, enforced by a servlet filter
 *       (servlet applications) and by a gRPC server interceptor (Spring gRPC servers).
 * </ul>
 */
@AutoConfiguration(
    after = MeshAutoConfiguration.class,
    before = {MeshHttpAutoConfiguration.class, MeshGrpcAutoConfiguration.class})
@ConditionalOnClass(WorkloadTls.class)
@ConditionalOnBooleanProperty(name = "weft.mesh.enabled", matchIfMissing = true)
public class MeshSecurityAutoConfiguration {

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  @ConditionalOnProperty(prefix = "weft.mesh.security", name = "certificate-chain")
  WorkloadTls meshWorkloadTls(MeshProperties properties) {
    MeshProperties.Security s = properties.getSecurity();
    List<String> missing = new ArrayList<>();
    if (s.getPrivateKey() == null) {
      missing.add("weft.mesh.security.private-key");
    }
    if (s.getCaCertificates() == null) {
      missing.add("weft.mesh.security.ca-certificates");
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          "weft.mesh.security.certificate-chain is set, so "
              + String.join(" and ", missing)
              + " must be set too");
    }
    WorkloadTls.Builder b =
        WorkloadTls.builder()
            .identity(s.getCertificateChain(), s.getPrivateKey())
            .caCertificates(s.getCaCertificates())
            .trustDomains(s.getTrustDomains().toArray(String[]::new));
    if (s.getRefreshInterval() != null && !s.getRefreshInterval().isZero()) {
      b.watch(s.getRefreshInterval());
    }
    return b.build();
  }

  /** Registers the workload's certificate as an SSL bundle for the application's servers. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(SslBundleRegistrar.class)
  static class SslBundleConfiguration {
    @Bean
    static SslBundleRegistrar meshSslBundleRegistrar(
        ObjectProvider<WorkloadTls> tls, ObjectProvider<MeshProperties> properties) {
      return registry ->
          tls.ifAvailable(
              t ->
                  WorkloadSslBundle.register(
                      t, properties.getObject().getSecurity().getSslBundle(), registry));
    }
  }

  /**
   * Makes Tomcat verify client certificates with Weft's trust manager on connectors whose SSL
   * bundle is the workload's: Tomcat builds its trust managers from the bundle's trust store, which
   * would be plain PKIX (any identity any CA in the bundle vouches for, resumable sessions).
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = {
        "org.springframework.boot.tomcat.TomcatConnectorCustomizer",
        "org.apache.tomcat.util.net.jsse.JSSEImplementation"
      })
  static class TomcatTrustConfiguration {
    @Bean
    org.springframework.boot.tomcat.TomcatConnectorCustomizer meshWorkloadTrustTomcatCustomizer() {
      return connector -> {
        if (!(connector.getProtocolHandler()
                instanceof org.apache.coyote.http11.AbstractHttp11Protocol<?> protocol)
            || !protocol.isSSLEnabled()) {
          return;
        }
        for (org.apache.tomcat.util.net.SSLHostConfig host : protocol.findSslHostConfigs()) {
          java.security.KeyStore trustStore;
          try {
            trustStore = host.getTruststore();
          } catch (java.io.IOException e) {
            continue; // a store Tomcat loads from a file: not the workload's
          }
          if (WorkloadTrustStores.trustManager(trustStore) != null) {
            protocol.setSslImplementationName(WorkloadTomcatSslImplementation.class.getName());
            return;
          }
        }
      };
    }
  }

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBean(Mesh.class)
  @ConditionalOnProperty(prefix = "weft.mesh.server", name = "service")
  @ConditionalOnBooleanProperty(name = "weft.mesh.server.authorization", matchIfMissing = true)
  AuthorizationEnforcer meshAuthorizationEnforcer(
      ObjectProvider<MeterRegistry> meterRegistry, ObjectProvider<AuditSink> auditSinks) {
    AuthorizationEnforcer.Builder b = AuthorizationEnforcer.builder();
    meterRegistry.ifAvailable(b::meterRegistry);
    // Decisions go to the audit log and to every AuditSink bean (such as the console's denials).
    AuditSink sink = AuditSink.logger();
    for (AuditSink extra : (Iterable<AuditSink>) auditSinks.orderedStream()::iterator) {
      sink = sink.andThen(extra);
    }
    b.auditSink(sink);
    return b.build();
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  @ConditionalOnBean({Mesh.class, AuthorizationEnforcer.class})
  @ConditionalOnProperty(prefix = "weft.mesh.server", name = "service")
  MeshAuthorization meshAuthorization(
      Mesh mesh, AuthorizationEnforcer enforcer, MeshProperties properties) {
    return MeshAuthorization.follow(mesh, enforcer, properties.getServer().getService());
  }

  /**
   * The server filter of servlet applications: tracing, {@code weft.server.requests},
   * authorization.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass(
      name = {"dev.weft.mesh.http.server.MeshServletFilter", "jakarta.servlet.Filter"})
  @ConditionalOnProperty(prefix = "weft.mesh.server", name = "service")
  static class ServletConfiguration {
    static final int MESH_FILTER_ORDER = Ordered.HIGHEST_PRECEDENCE + 10;

    /**
     * Moves Spring's {@code ForwardedHeaderFilter} ({@code
     * server.forward-headers-strategy=framework}, which Spring Boot registers ahead of every other
     * filter) behind the mesh filter: it rewrites the request from {@code X-Forwarded-*} headers
     * and hides those headers, so before the mesh filter a policy on a forwarded header would never
     * match.
     */
    @Bean
    static BeanPostProcessor meshForwardedHeaderFilterOrder() {
      return new BeanPostProcessor() {
        @Override
        public Object postProcessBeforeInitialization(Object bean, String beanName) {
          if (bean instanceof FilterRegistrationBean<?> registration
              && isForwardedHeaderFilter(registration.getFilter())
              && registration.getOrder() <= MESH_FILTER_ORDER) {
            registration.setOrder(MESH_FILTER_ORDER + 1);
          }
          return bean;
        }
      };
    }

    private static boolean isForwardedHeaderFilter(Object filter) {
      for (Class<?> c = filter == null ? null : filter.getClass();
          c != null;
          c = c.getSuperclass()) {
        if (c.getName().equals("org.springframework.web.filter.ForwardedHeaderFilter")) {
          return true;
        }
      }
      return false;
    }

    @Bean
    @ConditionalOnMissingBean(name = "meshServletFilter")
    FilterRegistrationBean<dev.weft.mesh.http.server.MeshServletFilter> meshServletFilter(
        MeshProperties properties,
        ObjectProvider<AuthorizationEnforcer> enforcer,
        ObjectProvider<WorkloadTls> workloadTls,
        ObjectProvider<MeshAuthorization> following,
        ObjectProvider<MeterRegistry> meterRegistry,
        ObjectProvider<OpenTelemetry> openTelemetry) {
      following.getIfAvailable(); // the enforcer follows the configuration even under lazy
      // initialization
      dev.weft.mesh.http.server.MeshServletFilter.Builder b =
          dev.weft.mesh.http.server.MeshServletFilter.builder(properties.getServer().getService());
      requiredEnforcer(properties, enforcer).ifPresent(b::authorization);
      workloadTls.ifAvailable(b::workloadTls);
      meterRegistry.ifAvailable(b::meterRegistry);
      openTelemetry.ifAvailable(b::openTelemetry);
      FilterRegistrationBean<dev.weft.mesh.http.server.MeshServletFilter> registration =
          new FilterRegistrationBean<>(b.build());
      registration.setName("meshServletFilter");
      // first, so that denied requests reach nothing else, every request is traced, and what is
      // checked is the request as it came from the network (before forwarded-header or
      // method-override filters rewrite it); and on every dispatch, so that a forward, include,
      // async or error dispatch to another path is checked too
      registration.setOrder(MESH_FILTER_ORDER);
      registration.setDispatcherTypes(
          java.util.EnumSet.allOf(jakarta.servlet.DispatcherType.class));
      return registration;
    }
  }

  /**
   * The server interceptor of Spring gRPC servers: tracing, {@code weft.server.calls},
   * authorization; ordered ahead of the application's own global interceptors, as the servlet
   * filter is.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = {
        "dev.weft.mesh.grpc.MeshServer",
        "org.springframework.grpc.server.GlobalServerInterceptor"
      })
  @ConditionalOnProperty(prefix = "weft.mesh.server", name = "service")
  static class GrpcServerConfiguration {
    @Bean
    @ConditionalOnMissingBean
    @org.springframework.grpc.server.GlobalServerInterceptor
    @org.springframework.core.annotation.Order(Ordered.HIGHEST_PRECEDENCE + 10)
    MeshServerInterceptor meshServerInterceptor(
        MeshProperties properties,
        ObjectProvider<AuthorizationEnforcer> enforcer,
        ObjectProvider<MeshAuthorization> following,
        ObjectProvider<MeterRegistry> meterRegistry,
        ObjectProvider<OpenTelemetry> openTelemetry) {
      following.getIfAvailable(); // the enforcer follows the configuration even under lazy
      // initialization
      dev.weft.mesh.grpc.MeshServer.Builder b = dev.weft.mesh.grpc.MeshServer.builder();
      requiredEnforcer(properties, enforcer).ifPresent(b::authorization);
      meterRegistry.ifAvailable(b::meterRegistry);
      openTelemetry.ifAvailable(b::openTelemetry);
      return new MeshServerInterceptor(b.build().interceptors());
    }
  }

  /**
   * The enforcer the server hooks must use: with {@code weft.mesh.server.authorization} on (the
   * default), a server hook is never installed without one, since it would let every request
   * through; so an application that names its service but has no mesh (no configuration source)
   * refuses to start and says why.
   */
  static java.util.Optional<AuthorizationEnforcer> requiredEnforcer(
      MeshProperties properties, ObjectProvider<AuthorizationEnforcer> enforcer) {
    AuthorizationEnforcer e = enforcer.getIfAvailable();
    if (e == null && properties.getServer().isAuthorization()) {
      throw new IllegalStateException(
          "weft.mesh.server.service="
              + properties.getServer().getService()
              + " asks the starter to enforce the mesh's authorization policies on this server,"
              + " but there is no mesh to take them from: set weft.mesh.config.file (or the"
              + " weft.mesh.xds properties), or define an AuthorizationEnforcer bean; set"
              + " weft.mesh.server.authorization=false to serve without authorization");
    }
    return java.util.Optional.ofNullable(e);
  }
}
