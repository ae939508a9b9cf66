package dev.weft.mesh.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.http.httpclient5.MeshAsyncExecChainHandler;
import dev.weft.mesh.http.httpclient5.MeshExecChainHandler;
import dev.weft.mesh.http.okhttp.MeshInterceptor;
import dev.weft.mesh.http.spring.MeshExchangeFilterFunction;
import dev.weft.mesh.http.spring.MeshRoutingClientHttpRequestFactory;
import java.nio.file.Path;
import okhttp3.OkHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.restclient.RestTemplateCustomizer;
import org.springframework.boot.restclient.autoconfigure.RestTemplateAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;

/** Which HTTP client adapters the starter wires, and that user beans win. */
class MeshHttpClientsAutoConfigurationTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  MeshAutoConfiguration.class,
                  MeshHttpAutoConfiguration.class,
                  MeshHttpClientsAutoConfiguration.class,
                  RestTemplateAutoConfiguration.class,
                  org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration
                      .class,
                  org.springframework.boot.http.client.autoconfigure.imperative
                      .ImperativeHttpClientAutoConfiguration.class));

  @TempDir Path dir;
  private TestBackends backends;

  @BeforeEach
  void start() throws Exception {
    backends = new TestBackends(dir);
  }

  @AfterEach
  void stop() {
    backends.close();
  }

  @Test
  void everyClientPresentGetsItsAdapter() {
    runner
        .withPropertyValues(backends.property())
        .run(
            context -> {
              assertThat(context).hasSingleBean(MeshInterceptor.class);
              assertThat(context).hasSingleBean(MeshExecChainHandler.class);
              assertThat(context).hasSingleBean(MeshAsyncExecChainHandler.class);
              assertThat(context).hasSingleBean(MeshExchangeFilterFunction.class);
              assertThat(context).hasBean("meshWebClientCustomizer");
              assertThat(context).hasBean("meshRestTemplateCustomizer");
              RestTemplate template = context.getBean(RestTemplateBuilder.class).build();
              template.getInterceptors().clear();
              assertThat(template.getRequestFactory())
                  .isInstanceOf(MeshRoutingClientHttpRequestFactory.class);
            });
  }

  @Test
  void absentClientsGetNothing() {
    runner
        .withPropertyValues(backends.property())
        .withClassLoader(
            new FilteredClassLoader(
                OkHttpClient.class, HttpClientBuilder.class, WebClient.class, RestTemplate.class))
        .run(
            context -> {
              assertThat(context).hasSingleBean(Mesh.class);
              assertThat(context).doesNotHaveBean(MeshInterceptor.class);
              assertThat(context).doesNotHaveBean(MeshExecChainHandler.class);
              assertThat(context).doesNotHaveBean(MeshExchangeFilterFunction.class);
              assertThat(context).doesNotHaveBean("meshRestTemplateCustomizer");
              assertThat(context).doesNotHaveBean("meshWebClientCustomizer");
            });
  }

  @Test
  void theSwitchesTurnTheSpringClientsOff() {
    runner
        .withPropertyValues(
            backends.property(),
            "weft.mesh.http.rest-template=false",
            "weft.mesh.http.web-client=false")
        .run(
            context -> {
              assertThat(context).doesNotHaveBean("meshRestTemplateCustomizer");
              assertThat(context).doesNotHaveBean("meshWebClientCustomizer");
              assertThat(context).hasSingleBean(MeshInterceptor.class);
            });
  }

  @Test
  void userBeansWin() {
    runner
        .withPropertyValues(backends.property())
        .withUserConfiguration(OwnBeans.class)
        .run(
            context -> {
              assertThat(context.getBean(MeshInterceptor.class))
                  .isSameAs(context.getBean(OwnBeans.class).interceptor);
              assertThat(context.getBean(MeshExchangeFilterFunction.class))
                  .isSameAs(context.getBean(OwnBeans.class).filter);
              assertThat(context.getBean("meshRestTemplateCustomizer"))
                  .isSameAs(OwnBeans.CUSTOMIZER);
              assertThat(context.getBean("meshWebClientCustomizer"))
                  .isSameAs(OwnBeans.WEB_CUSTOMIZER);
            });
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnBeans {
    static final RestTemplateCustomizer CUSTOMIZER = template -> {};
    static final WebClientCustomizer WEB_CUSTOMIZER = builder -> {};
    MeshInterceptor interceptor;
    MeshExchangeFilterFunction filter;

    @Bean
    MeshInterceptor ownInterceptor(Mesh mesh) {
      interceptor = MeshInterceptor.create(mesh);
      return interceptor;
    }

    @Bean
    MeshExchangeFilterFunction ownFilter(Mesh mesh) {
      filter = MeshExchangeFilterFunction.create(mesh);
      return filter;
    }

    @Bean
    RestTemplateCustomizer meshRestTemplateCustomizer() {
      return CUSTOMIZER;
    }

    @Bean
    WebClientCustomizer meshWebClientCustomizer() {
      return WEB_CUSTOMIZER;
    }
  }
}
