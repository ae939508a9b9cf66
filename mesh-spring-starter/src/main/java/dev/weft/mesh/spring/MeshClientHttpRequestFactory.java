package dev.weft.mesh.spring;

import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.http.MeshHttpClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.Set;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.AbstractBufferingClientHttpRequest;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.http.client.JdkClientHttpRequestFactory;

/**
 * A {@link ClientHttpRequestFactory} for Spring's {@code RestClient}: a URL whose host names a mesh
 * service ({@code http://reviews/...}) goes through the mesh, routed, balanced and retried; any
 * other URL goes straight out through the JDK client, as it would without the mesh.
 */
public final class MeshClientHttpRequestFactory implements ClientHttpRequestFactory {
  private static final Set<String> RESTRICTED =
      Set.of("connection", "content-length", "expect", "host", "upgrade");

  private final MeshHttpClient client;
  private final ClientHttpRequestFactory direct = new JdkClientHttpRequestFactory();

  public MeshClientHttpRequestFactory(MeshHttpClient client) {
    this.client = client;
  }

  @Override
  public ClientHttpRequest createRequest(URI uri, HttpMethod httpMethod) throws IOException {
    if (!isMeshService(uri.getHost())) {
      return direct.createRequest(uri, httpMethod);
    }
    return new MeshRequest(client, uri, httpMethod);
  }

  private boolean isMeshService(String host) {
    if (host == null) {
      return false;
    }
    MeshConfig config = client.mesh().config();
    return config.service(host).isPresent() || config.cluster(host).isPresent();
  }

  /** A buffered request sent through the mesh. */
  private static final class MeshRequest extends AbstractBufferingClientHttpRequest {
    private final MeshHttpClient client;
    private final URI uri;
    private final HttpMethod method;

    MeshRequest(MeshHttpClient client, URI uri, HttpMethod method) {
      this.client = client;
      this.uri = uri;
      this.method = method;
    }

    @Override
    public HttpMethod getMethod() {
      return method;
    }

    @Override
    public URI getURI() {
      return uri;
    }

    @Override
    protected ClientHttpResponse executeInternal(HttpHeaders headers, byte[] body)
        throws IOException {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(uri)
              .method(
                  method.name(),
                  body.length == 0
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofByteArray(body));
      headers.forEach(
          (name, values) -> {
            if (!RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
              for (String v : values) {
                b.header(name, v);
              }
            }
          });
      try {
        return new MeshResponse(client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for " + method + " " + uri, e);
      }
    }
  }

  /** A response read whole. */
  private static final class MeshResponse implements ClientHttpResponse {
    private final HttpResponse<byte[]> response;
    private final HttpHeaders headers = new HttpHeaders();

    MeshResponse(HttpResponse<byte[]> response) {
      this.response = response;
      response.headers().map().forEach((name, values) -> values.forEach(v -> headers.add(name, v)));
    }

    @Override
    public HttpStatusCode getStatusCode() {
      return HttpStatusCode.valueOf(response.statusCode());
    }

    @Override
    public String getStatusText() {
      return "";
    }

    @Override
    public HttpHeaders getHeaders() {
      return headers;
    }

    @Override
    public InputStream getBody() {
      byte[] body = response.body();
      return new ByteArrayInputStream(body == null ? new byte[0] : body);
    }

    @Override
    public void close() {
      // The body was read whole; nothing stays open.
    }
  }
}
