package dev.weft.mesh.http.spring;

import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.http.testkit.HttpClientAdapterContract;
import java.time.Duration;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.client.WebClient;

/** A {@code WebClient} with {@link MeshExchangeFilterFunction} passes the contract. */
class WebClientMeshTest extends HttpClientAdapterContract {

  @Override
  protected Client connect(Mesh mesh) {
    WebClient client = WebClient.builder().filter(MeshExchangeFilterFunction.create(mesh)).build();
    return (method, url, body, headers) -> {
      WebClient.RequestBodySpec spec =
          client.method(HttpMethod.valueOf(method)).uri(url).headers(h -> headers.forEach(h::set));
      WebClient.RequestHeadersSpec<?> ready = body == null ? spec : spec.bodyValue(body);
      return ready
          .exchangeToMono(
              r ->
                  r.bodyToMono(String.class)
                      .defaultIfEmpty("")
                      .map(b -> new Reply(r.statusCode().value(), b)))
          .block(Duration.ofSeconds(30));
    };
  }
}
