package dev.weft.mesh.spring;

import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.http.MeshHttpClient;
import dev.weft.mesh.http.httpclient5.MeshAsyncExecChainHandler;
import dev.weft.mesh.http.httpclient5.MeshExecChainHandler;
import dev.weft.mesh.http.okhttp.MeshInterceptor;
import dev.weft.mesh.http.spring.MeshExchangeFilterFunction;
import dev.weft.mesh.http.spring.MeshRestTemplates;
import dev.weft.mesh.security.tls.WorkloadTls;
import okhttp3.OkHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.restclient.RestTemplateCustomizer;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The mesh in the HTTP clients an application already uses, each wired only when its classes and
 * Weft's adapter for it are present, and each backing off when the application defines its own:
 *
 * <ul>
 *   <li>{@code RestTemplate}: a {@link RestTemplateCustomizer} that every template built from
 *       {@code RestTemplateBuilder} gets; mesh-service URLs go through the {@link MeshHttpClient},
 *       other URLs through the factory the builder chose ({@code weft.mesh.http.rest-template}).
 *   <li>{@code WebClient}: a {@link WebClientCustomizer} that adds a {@link
 *       MeshExchangeFilterFunction} to every {@code WebClient.Builder} the context hands out,
 *       Spring Cloud Gateway's included ({@code weft.mesh.http.web-client}).
 *   <li>OkHttp: a {@link MeshInterceptor} bean, to add to the application's {@code OkHttpClient}
 *       (and so to Retrofit), with the workload's TLS when there is one.
 *   <li>Apache HttpClient 5: {@link MeshExecChainHandler} and {@link MeshAsyncExecChainHandler}
 *       beans, to install with {@code MeshHttpClient5.install}.
 * </ul>
 */
@AutoConfiguration(after = MeshHttpAutoConfiguration.class)
@ConditionalOnBean(Mesh.class)
public class MeshHttpClientsAutoConfiguration {

  /** RestTemplate: every template from {@code RestTemplateBuilder} routes mesh URLs. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({RestTemplate.class, RestTemplateCustomizer.class, MeshRestTemplates.class})
  @ConditionalOnBean(MeshHttpClient.class)
  @ConditionalOnBooleanProperty(name = "weft.mesh.http.rest-template", matchIfMissing = true)
  static class RestTemplateConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "meshRestTemplateCustomizer")
    RestTemplateCustomizer meshRestTemplateCustomizer(MeshHttpClient client) {
      return template -> MeshRestTemplates.apply(template, client);
    }
  }

  /** WebClient: every builder from the context gets the mesh filter. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({
    WebClient.class,
    WebClientCustomizer.class,
    MeshExchangeFilterFunction.class
  })
  @ConditionalOnBooleanProperty(name = "weft.mesh.http.web-client", matchIfMissing = true)
  static class WebClientConfiguration {

    @Bean
    @ConditionalOnMissingBean
    MeshExchangeFilterFunction meshExchangeFilterFunction(Mesh mesh) {
      return MeshExchangeFilterFunction.create(mesh);
    }

    @Bean
    @ConditionalOnMissingBean(name = "meshWebClientCustomizer")
    WebClientCustomizer meshWebClientCustomizer(MeshExchangeFilterFunction filter) {
      return builder ->
          builder.filters(
              filters -> {
                if (!filters.contains(filter)) {
                  filters.add(filter);
                }
              });
    }
  }

  /** OkHttp: the interceptor as a bean. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({OkHttpClient.class, MeshInterceptor.class})
  static class OkHttpConfiguration {

    @Bean
    @ConditionalOnMissingBean
    MeshInterceptor meshOkHttpInterceptor(Mesh mesh, ObjectProvider<WorkloadTls> workloadTls) {
      MeshInterceptor.Builder b = MeshInterceptor.builder(mesh);
      workloadTls.ifAvailable(b::workloadTls);
      return b.build();
    }
  }

  /** Apache HttpClient 5: the exec-chain handlers as beans. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({HttpClientBuilder.class, MeshExecChainHandler.class})
  static class HttpClient5Configuration {

    @Bean
    @ConditionalOnMissingBean
    MeshExecChainHandler meshExecChainHandler(Mesh mesh) {
      return MeshExecChainHandler.create(mesh);
    }

    @Bean
    @ConditionalOnMissingBean
    MeshAsyncExecChainHandler meshAsyncExecChainHandler(Mesh mesh) {
      return MeshAsyncExecChainHandler.create(mesh);
    }
  }
}
