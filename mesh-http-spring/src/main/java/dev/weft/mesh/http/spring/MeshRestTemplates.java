package dev.weft.mesh.http.spring;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.http.MeshHttpClient;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.web.client.RestTemplate;

/** Puts a {@code RestTemplate}'s requests for mesh services through the mesh. */
public final class MeshRestTemplates {
  private MeshRestTemplates() {}

  /**
   * Wraps the template's request factory in a {@link MeshRoutingClientHttpRequestFactory}: URLs of
   * mesh services go through {@code client}, others through the factory the template had. The
   * template's interceptors are kept and run once per logical request. Applying it twice changes
   * nothing. This is what the starter's {@code RestTemplateCustomizer} does to every template built
   * from {@code RestTemplateBuilder}.
   *
   * @return {@code template}
   */
  public static RestTemplate apply(RestTemplate template, MeshHttpClient client) {
    requireNonNull(template, "template");
    requireNonNull(client, "client");
    // With interceptors, getRequestFactory() answers an intercepting wrapper; the raw factory
    // shows once they are set aside.
    List<ClientHttpRequestInterceptor> interceptors = new ArrayList<>(template.getInterceptors());
    template.setInterceptors(List.of());
    ClientHttpRequestFactory current = template.getRequestFactory();
    if (!(current instanceof MeshRoutingClientHttpRequestFactory)) {
      template.setRequestFactory(new MeshRoutingClientHttpRequestFactory(client, current));
    }
    template.setInterceptors(interceptors);
    return template;
  }
}
