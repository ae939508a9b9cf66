package dev.weft.mesh.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLSession;

/**
 * A response made in this process rather than by a server: an injected fault's abort answers with
 * its status, as Envoy's fault filter does, so HTTP callers see what they would behind a proxy.
 */
final class SyntheticResponse<T> implements HttpResponse<T> {
  private final HttpRequest request;
  private final int status;
  private final HttpHeaders headers;
  private final T body;

  private SyntheticResponse(HttpRequest request, int status, HttpHeaders headers, T body) {
    this.request = request;
    this.status = status;
    this.headers = headers;
    this.body = body;
  }

  /** A response with {@code status} and a short text body, passed through the caller's handler. */
  static <T> CompletionStage<HttpResponse<T>> of(
      HttpRequest request, int status, String text, HttpResponse.BodyHandler<T> handler) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    HttpHeaders headers =
        HttpHeaders.of(
            Map.of(
                "content-type", List.of("text/plain; charset=utf-8"),
                "content-length", List.of(Integer.toString(bytes.length))),
            (a, b) -> true);
    HttpResponse.ResponseInfo info =
        new HttpResponse.ResponseInfo() {
          @Override
          public int statusCode() {
            return status;
          }

          @Override
          public HttpHeaders headers() {
            return headers;
          }

          @Override
          public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
          }
        };
    HttpResponse.BodySubscriber<T> subscriber = handler.apply(info);
    AtomicBoolean delivered = new AtomicBoolean();
    subscriber.onSubscribe(
        new Flow.Subscription() {
          @Override
          public void request(long n) {
            if (n > 0 && delivered.compareAndSet(false, true)) {
              subscriber.onNext(List.of(ByteBuffer.wrap(bytes)));
              subscriber.onComplete();
            }
          }

          @Override
          public void cancel() {
            delivered.set(true);
          }
        });
    return subscriber
        .getBody()
        .thenApply(body -> new SyntheticResponse<>(request, status, headers, body));
  }

  @Override
  public int statusCode() {
    return status;
  }

  @Override
  public HttpRequest request() {
    return request;
  }

  @Override
  public Optional<HttpResponse<T>> previousResponse() {
    return Optional.empty();
  }

  @Override
  public HttpHeaders headers() {
    return headers;
  }

  @Override
  public T body() {
    return body;
  }

  @Override
  public Optional<SSLSession> sslSession() {
    return Optional.empty();
  }

  @Override
  public URI uri() {
    return request.uri();
  }

  @Override
  public HttpClient.Version version() {
    return HttpClient.Version.HTTP_1_1;
  }

  @Override
  public String toString() {
    return "(" + request.method() + " " + request.uri() + ") " + status + " (injected by the mesh)";
  }
}
