package dev.weft.mesh.http.spring;

import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.http.MeshHttpClient;
import dev.weft.mesh.http.testkit.HttpClientAdapterContract;
import java.net.URI;
import java.util.Map;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.web.client.ResponseErrorHandler;
import org.springframework.web.client.RestTemplate;

/** A {@code RestTemplate} with {@link MeshRestTemplates#apply} passes the contract. */
class RestTemplateMeshTest extends HttpClientAdapterContract {

  @Override
  protected Client connect(Mesh mesh) {
    MeshHttpClient http = MeshHttpClient.builder(mesh).build();
    RestTemplate template = new RestTemplate();
    template.setErrorHandler(
        new ResponseErrorHandler() {
          @Override
          public boolean hasError(ClientHttpResponse response) {
            return false;
          }
        });
    // an interceptor the application had, kept and run once per logical request
    template.getInterceptors().add((request, body, execution) -> execution.execute(request, body));
    MeshRestTemplates.apply(template, http);
    MeshRestTemplates.apply(template, http);
    return new Client() {
      @Override
      public Reply send(String method, String url, String body, Map<String, String> headers) {
        HttpHeaders h = new HttpHeaders();
        headers.forEach(h::set);
        ResponseEntity<String> r =
            template.exchange(
                URI.create(url),
                HttpMethod.valueOf(method),
                new HttpEntity<>(body, h),
                String.class);
        return new Reply(r.getStatusCode().value(), r.getBody());
      }

      @Override
      public void close() {
        http.close();
      }
    };
  }
}
