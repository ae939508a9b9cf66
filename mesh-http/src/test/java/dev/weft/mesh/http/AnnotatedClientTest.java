package dev.weft.mesh.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.weft.mesh.api.client.Body;
import dev.weft.mesh.api.client.Delete;
import dev.weft.mesh.api.client.Get;
import dev.weft.mesh.api.client.Header;
import dev.weft.mesh.api.client.MeshClient;
import dev.weft.mesh.api.client.Path;
import dev.weft.mesh.api.client.Post;
import dev.weft.mesh.api.client.Query;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.core.Mesh;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AnnotatedClientTest {

  public record Review(int id, String reviewer, String text, int stars) {}

  public record NewReview(String reviewer, String text, int stars) {}

  @MeshClient("reviews")
  interface Reviews {
    @Get("/reviews/{id}")
    Review get(@Path("id") int id, @Header("end-user") String user);

    @Get("/reviews")
    List<Review> search(@Query("product") String product, @Query("stars") List<Integer> stars);

    @Post("/products/{product}/reviews")
    Review create(
        @Path("product") String product,
        @Body NewReview review,
        @Header("x-request-id") String requestId);

    @Get("/reviews/{id}")
    Optional<Review> find(@Path("id") int id);

    @Get("/reviews/{id}")
    CompletableFuture<Review> getAsync(@Path("id") int id);

    @Get("/reviews/{id}")
    HttpResponse<String> raw(@Path("id") int id);

    @Get("/reviews/{id}")
    byte[] bytes(@Path("id") int id);

    @Delete("/reviews/{id}")
    void delete(@Path("id") int id);

    default Review first() {
      return get(1, null);
    }
  }

  @MeshClient("reviews")
  interface Broken {
    @Get("/reviews/{id}")
    Review get(@Path("review") int id);
  }

  private WireMockServer server;
  private Mesh mesh;
  private MeshHttpClient http;
  private Reviews reviews;

  @BeforeEach
  void start() {
    server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    server.start();
    mesh =
        Mesh.builder()
            .config(
                MeshConfig.builder()
                    .cluster(
                        Cluster.builder("reviews")
                            .endpoints(Endpoint.of("127.0.0.1", server.port()))
                            .build())
                    .build())
            .build();
    http = MeshHttpClient.builder(mesh).build();
    reviews = http.client(Reviews.class);
  }

  @AfterEach
  void stop() {
    http.close();
    mesh.close();
    server.stop();
  }

  @Test
  void pathQueryHeaderAndBodyParametersRoundTripJson() {
    server.stubFor(
        get(urlEqualTo("/reviews/7"))
            .withHeader("end-user", equalTo("jason"))
            .willReturn(
                aResponse()
                    .withHeader("content-type", "application/json")
                    .withBody(
                        "{\"id\":7,\"reviewer\":\"Reviewer1\",\"text\":\"An extremely entertaining play\",\"stars\":5,\"extra\":true}")));
    assertThat(reviews.get(7, "jason"))
        .isEqualTo(new Review(7, "Reviewer1", "An extremely entertaining play", 5));

    server.stubFor(
        get(urlPathEqualTo("/reviews"))
            .withQueryParam("product", equalTo("the comedy of errors"))
            .withQueryParam("stars", equalTo("4"))
            .willReturn(
                aResponse()
                    .withBody("[{\"id\":1,\"reviewer\":\"a\",\"text\":\"t\",\"stars\":4}]")));
    assertThat(reviews.search("the comedy of errors", List.of(4, 5)))
        .containsExactly(new Review(1, "a", "t", 4));
    assertThat(server.getAllServeEvents().get(0).getRequest().getUrl()).contains("stars=4&stars=5");

    server.stubFor(
        post(urlEqualTo("/products/0/reviews"))
            .withRequestBody(equalToJson("{\"reviewer\":\"ann\",\"text\":\"good\",\"stars\":4}"))
            .willReturn(
                aResponse()
                    .withStatus(201)
                    .withBody("{\"id\":3,\"reviewer\":\"ann\",\"text\":\"good\",\"stars\":4}")));
    assertThat(reviews.create("0", new NewReview("ann", "good", 4), "req-1"))
        .isEqualTo(new Review(3, "ann", "good", 4));
    server.verify(
        postRequestedFor(urlEqualTo("/products/0/reviews"))
            .withHeader("content-type", equalTo("application/json"))
            .withHeader("x-request-id", equalTo("req-1")));
  }

  @Test
  void aPathArgumentCanNeverBecomeADotSegment() {
    for (String dots : List.of(".", "..")) {
      assertThatThrownBy(() -> reviews.create(dots, new NewReview("a", "t", 1), "r"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("@Path(\"product\") is '" + dots + "'");
    }
    server.verify(0, postRequestedFor(urlEqualTo("/reviews")));
  }

  @Test
  void a404SurfacesAsTheTypedExceptionWithStatusAndBody() {
    server.stubFor(
        get(urlEqualTo("/reviews/404"))
            .willReturn(
                aResponse()
                    .withStatus(404)
                    .withHeader("x-why", "gone")
                    .withBody("{\"error\":\"no such review\"}")));
    assertThatThrownBy(() -> reviews.get(404, null))
        .isInstanceOfSatisfying(
            MeshHttpStatusException.class,
            e -> {
              assertThat(e.status()).isEqualTo(404);
              assertThat(e.bodyAsString()).isEqualTo("{\"error\":\"no such review\"}");
              assertThat(e.headers().firstValue("x-why")).contains("gone");
              assertThat(e.getMessage()).contains("404").contains("Reviews.get");
            });
    assertThat(reviews.find(404)).isEmpty();
    assertThat(reviews.raw(404).statusCode()).isEqualTo(404);
    assertThat(reviews.raw(404).body()).isEqualTo("{\"error\":\"no such review\"}");
  }

  @Test
  void otherReturnTypes() throws Exception {
    server.stubFor(
        get(urlEqualTo("/reviews/1"))
            .willReturn(
                aResponse().withBody("{\"id\":1,\"reviewer\":\"r\",\"text\":\"x\",\"stars\":2}")));
    assertThat(reviews.getAsync(1).get(5, TimeUnit.SECONDS).stars()).isEqualTo(2);
    assertThat(reviews.find(1)).map(Review::reviewer).contains("r");
    assertThat(new String(reviews.bytes(1))).contains("\"id\":1");
    assertThat(reviews.first().id()).isEqualTo(1);
    server.stubFor(
        com.github.tomakehurst.wiremock.client.WireMock.delete(urlEqualTo("/reviews/1"))
            .willReturn(aResponse().withStatus(204)));
    reviews.delete(1);
    assertThat(reviews.toString()).contains("reviews");
  }

  @Test
  void aMistakeInTheAnnotationsFailsWhenTheClientIsMadeNamingTheMethod() {
    assertThatThrownBy(() -> http.client(Broken.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Broken.get")
        .hasMessageContaining("review");
  }
}
