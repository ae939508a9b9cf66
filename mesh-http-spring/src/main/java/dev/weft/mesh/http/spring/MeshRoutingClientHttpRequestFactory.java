package dev.weft.mesh.http.spring;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.http.MeshHttpClient;
import dev.weft.mesh.http.adapter.MeshHosts;
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

/**
 * A {@link ClientHttpRequestFactory} for {@code RestTemplate} and {@code RestClient} that sends a
 * URL whose host names a mesh service ({@code http://reviews/...}) through a {@link
 * MeshHttpClient}, and any other URL through the factory the application had, unchanged.
 *
 * <p>Mesh requests are {@code MeshHttpClient}'s in every respect: the engine's attempt loop routes,
 * splits, retries (idempotent methods; the body is buffered, so it is always sent again whole),
 * times out each attempt with the JDK client's own deadline, injects the attempt span's {@code
 * traceparent}, records the mesh's meters, and with a workload TLS speaks mutual TLS. The
 * application's interceptors and error handler still run around each logical request. Responses are
 * read whole before they are handed over.
 */
public final class MeshRoutingClientHttpRequestFactory implements ClientHttpRequestFactory {
  /** Headers the JDK client sets itself and refuses from callers. */
  private static final Set<String> RESTRICTED =
      Set.of("connection", "content-length", "expect", "host", "upgrade");

  private final MeshHttpClient client;
  private final ClientHttpRequestFactory direct;

  /**
   * A factory over {@code client} for mesh services and {@code direct} for every other URL.
   *
   * @param direct the factory the application had (for example, the one {@code RestTemplateBuilder}
   *     detected)
   */
  public MeshRoutingClientHttpRequestFactory(
      MeshHttpClient client, ClientHttpRequestFactory direct) {
    this.client = requireNonNull(client, "client");
    this.direct = requireNonNull(direct, "direct");
  }

  /** The factory for URLs outside the mesh. */
  public ClientHttpRequestFactory direct() {
    return direct;
  }

  @Override
  public ClientHttpRequest createRequest(URI uri, HttpMethod httpMethod) throws IOException {
    if (MeshHosts.isMeshService(client.mesh(), uri.getHost())) {
      return new MeshRequest(client, uri, httpMethod);
    }
    return direct.createRequest(uri, httpMethod);
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
      HttpRequest.BodyPublisher publisher =
          body.length == 0
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofByteArray(body);
      HttpRequest.Builder b = HttpRequest.newBuilder(uri).method(method.name(), publisher);
      for (String name : headers.headerNames()) {
        if (RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
          continue;
        }
        for (String value : headers.getValuesAsList(name)) {
          b.header(name, value);
        }
      }
      try {
        return new BufferedResponse(
            client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for " + method + " " + uri, e);
      }
    }
  }

  /** A JDK response read whole, as Spring sees it. */
  private static final class BufferedResponse implements ClientHttpResponse {
    private final HttpResponse<byte[]> response;
    private final HttpHeaders headers = new HttpHeaders();

    BufferedResponse(HttpResponse<byte[]> response) {
      this.response = response;
      response.headers().map().forEach(headers::addAll);
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
      // read whole: nothing stays open
    }
  }
}
