package dev.weft.mesh.http;

import dev.weft.mesh.api.runtime.Nanos;
import dev.weft.mesh.core.spi.CallRequest;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.AttributesBuilder;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/** A JDK {@link HttpRequest} to a logical URL, as the mesh engine sees it. */
final class HttpCallRequest implements CallRequest {
  private static final Set<String> IDEMPOTENT =
      Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");
  private static final AttributeKey<String> HTTP_METHOD =
      AttributeKey.stringKey("http.request.method");
  private static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");

  final HttpRequest request;
  private final String service;
  private final String path;
  private final long timeoutNanos;
  private final boolean idempotent;

  HttpCallRequest(HttpRequest request, Duration defaultTimeout, boolean declaredIdempotent) {
    this.request = request;
    URI uri = request.uri();
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException(
          "a mesh request needs a logical service as its host, as in http://reviews/path; got "
              + uri);
    }
    this.service = host;
    String p = uri.getRawPath();
    this.path = p == null || p.isEmpty() ? "/" : p;
    Duration t = request.timeout().orElse(defaultTimeout);
    this.timeoutNanos = t == null ? Long.MAX_VALUE : Nanos.of(t);
    this.idempotent =
        declaredIdempotent || IDEMPOTENT.contains(request.method().toUpperCase(Locale.ROOT));
  }

  @Override
  public String service() {
    return service;
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String method() {
    return request.method();
  }

  @Override
  public String header(String lowerCaseName) {
    return request.headers().firstValue(lowerCaseName).orElse(null);
  }

  @Override
  public boolean idempotent() {
    return idempotent;
  }

  @Override
  public long timeoutNanos() {
    return timeoutNanos;
  }

  @Override
  public String spanName() {
    return request.method();
  }

  @Override
  public void spanAttributes(AttributesBuilder attributes) {
    attributes.put(HTTP_METHOD, request.method()).put(URL_PATH, path);
  }
}
