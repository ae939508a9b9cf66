package dev.weft.mesh.spring;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * One application with the clients services already have, built the usual way: a RestTemplate and a
 * WebClient from the builders Spring Boot hands out, and a gRPC channel from {@code
 * ManagedChannelBuilder.forTarget("mesh:///ratings")}. Calls for the mesh services follow their
 * 80/20 splits; a URL of another host goes straight out.
 */
@SpringBootTest(
    classes = HttpClientsApplicationTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.NONE)
class HttpClientsApplicationTest {
  private static final TestBackends BACKENDS = start();
  private static final WireMockServer OUTSIDE =
      new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());

  private static TestBackends start() {
    try {
      return new TestBackends(Files.createTempDirectory("weft-clients"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final Server RATINGS_V1 = grpcBackend("v1");
  private static final Server RATINGS_V2 = grpcBackend("v2");

  private static Server grpcBackend(String name) {
    try {
      return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
          .addService(
              new SimpleServiceGrpc.SimpleServiceImplBase() {
                @Override
                public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
                  out.onNext(SimpleResponse.newBuilder().setResponseMessage(name).build());
                  out.onCompleted();
                }
              })
          .build()
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @DynamicPropertySource
  static void meshConfig(DynamicPropertyRegistry registry) throws IOException {
    OUTSIDE.start();
    OUTSIDE.stubFor(any(anyUrl()).willReturn(aResponse().withBody("outside")));
    // the HTTP backends' file, with a gRPC service split the same way
    Path file = BACKENDS.configFile.resolveSibling("mesh-with-grpc.yaml");
    String http = Files.readString(BACKENDS.configFile);
    String grpc =
        """
          ratings:
            endpoints:
              - {address: 127.0.0.1:%d, labels: {version: v1}}
              - {address: 127.0.0.1:%d, labels: {version: v2}}
            subsets:
              v1: {version: v1}
              v2: {version: v2}
        """
            .formatted(RATINGS_V1.getPort(), RATINGS_V2.getPort());
    String grpcRoute =
        """
          ratings:
            routes:
              - name: split
                destinations:
                  - {cluster: ratings, subset: v1, weight: 80}
                  - {cluster: ratings, subset: v2, weight: 20}
        """;
    Files.writeString(
        file,
        http.replace("clusters:\n", "clusters:\n" + grpc)
            .replace("services:\n", "services:\n" + grpcRoute));
    registry.add("weft.mesh.config.file", file::toString);
  }

  @AfterAll
  static void stopBackends() throws InterruptedException {
    BACKENDS.close();
    OUTSIDE.stop();
    for (Server s : new Server[] {RATINGS_V1, RATINGS_V2}) {
      s.shutdownNow();
      assertThat(s.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Autowired RestTemplate restTemplate;
  @Autowired WebClient webClient;
  @Autowired SimpleServiceGrpc.SimpleServiceBlockingStub ratings;

  @Test
  void theGrpcChannelBuiltFromAMeshTargetFollowsTheSplit() {
    int n = 1000;
    int v1 = 0;
    for (int i = 0; i < n; i++) {
      String body =
          ratings
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .unaryRpc(SimpleRequest.getDefaultInstance())
              .getResponseMessage();
      assertThat(body).isIn("v1", "v2");
      v1 += body.equals("v1") ? 1 : 0;
    }
    assertThat(100.0 * v1 / n).isBetween(75.0, 85.0);
  }

  @Test
  void theRestTemplateFollowsTheSplit() {
    int n = 1000;
    int v1 = 0;
    for (int i = 0; i < n; i++) {
      String body = restTemplate.getForObject("http://reviews/reviews/1", String.class);
      assertThat(body).isIn("v1", "v2");
      v1 += body.equals("v1") ? 1 : 0;
    }
    assertThat(100.0 * v1 / n).isBetween(75.0, 85.0);
    assertThat(restTemplate.getForObject(outside("/rt"), String.class)).isEqualTo("outside");
    assertThat(OUTSIDE.findAll(getRequestedFor(urlEqualTo("/rt")))).hasSize(1);
  }

  @Test
  void theWebClientFollowsTheSplit() {
    int n = 1000;
    int v1 = 0;
    for (int i = 0; i < n; i++) {
      String body =
          webClient
              .get()
              .uri("http://reviews/reviews/2")
              .retrieve()
              .bodyToMono(String.class)
              .block(Duration.ofSeconds(10));
      assertThat(body).isIn("v1", "v2");
      v1 += "v1".equals(body) ? 1 : 0;
    }
    assertThat(100.0 * v1 / n).isBetween(75.0, 85.0);
    String direct = webClient.get().uri(outside("/wc")).retrieve().bodyToMono(String.class).block();
    assertThat(direct).isEqualTo("outside");
    assertThat(OUTSIDE.findAll(getRequestedFor(urlEqualTo("/wc")))).hasSize(1);
  }

  private static String outside(String path) {
    return "http://127.0.0.1:" + OUTSIDE.port() + path;
  }

  /** Without component scanning: this package holds the starter's own configuration classes. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    RestTemplate restTemplate(RestTemplateBuilder builder) {
      return builder.build();
    }

    @Bean
    WebClient webClient(WebClient.Builder builder) {
      return builder.build();
    }

    @Bean(destroyMethod = "shutdownNow")
    ManagedChannel ratingsChannel() {
      return ManagedChannelBuilder.forTarget("mesh:///ratings").build();
    }

    @Bean
    SimpleServiceGrpc.SimpleServiceBlockingStub ratings(ManagedChannel ratingsChannel) {
      return SimpleServiceGrpc.newBlockingStub(ratingsChannel);
    }
  }
}
