package dev.weft.mesh.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/** A response whose body an annotated client decoded into the type its method declares. */
final class DecodedResponse<T> implements HttpResponse<T> {
  private final HttpResponse<byte[]> raw;
  private final T body;

  DecodedResponse(HttpResponse<byte[]> raw, T body) {
    this.raw = raw;
    this.body = body;
  }

  @Override
  public int statusCode() {
    return raw.statusCode();
  }

  @Override
  public HttpRequest request() {
    return raw.request();
  }

  @Override
  public Optional<HttpResponse<T>> previousResponse() {
    return Optional.empty();
  }

  @Override
  public HttpHeaders headers() {
    return raw.headers();
  }

  @Override
  public T body() {
    return body;
  }

  @Override
  public Optional<SSLSession> sslSession() {
    return raw.sslSession();
  }

  @Override
  public URI uri() {
    return raw.uri();
  }

  @Override
  public HttpClient.Version version() {
    return raw.version();
  }

  @Override
  public String toString() {
    return raw.toString();
  }
}
