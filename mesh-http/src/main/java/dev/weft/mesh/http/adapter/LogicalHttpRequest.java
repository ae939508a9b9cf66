package dev.weft.mesh.http.adapter;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.core.spi.CallRequest;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.AttributesBuilder;
import java.net.URI;
import java.util.Locale;
import java.util.Set;

/**
 * A request of any HTTP client to a logical URL ({@code http://reviews/reviews/1}), as the engine
 * sees it: the host is the service, the path and method and headers route it.
 *
 * <p>It is idempotent, and so retried and hedged where the route says so, when its method is (GET,
 * HEAD, OPTIONS, TRACE, PUT, DELETE) and its body can be sent again. A request whose body can be
 * read only once is never idempotent, and {@link BlockingMeshCall} refuses to send it twice even on
 * a route that retries non-idempotent requests.
 */
public final class LogicalHttpRequest implements CallRequest {
  private static final Set<String> IDEMPOTENT =
      Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");
  private static final AttributeKey<String> HTTP_METHOD =
      AttributeKey.stringKey("http.request.method");
  private static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");

  /** Reads a request's headers, by lower-case name. */
  @FunctionalInterface
  public interface Headers {
    /** The first value of the header, or null when absent. */
    String first(String lowerCaseName);
  }

  private final String method;
  private final URI uri;
  private final String service;
  private final String path;
  private final Headers headers;
  private final boolean replayable;
  private final long timeoutNanos;

  private LogicalHttpRequest(
      String method, URI uri, Headers headers, boolean replayable, long timeoutNanos) {
    this.method = method.toUpperCase(Locale.ROOT);
    this.uri = uri;
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException(
          "a mesh request needs a logical service as its host, as in http://reviews/path; got "
              + uri);
    }
    this.service = host;
    String p = uri.getRawPath();
    this.path = p == null || p.isEmpty() ? "/" : p;
    this.headers = headers;
    this.replayable = replayable;
    this.timeoutNanos = timeoutNanos;
  }

  /**
   * A logical request.
   *
   * @param method the HTTP method
   * @param uri the logical URL, whose host names the service
   * @param headers the request's headers
   * @param replayable whether the body (if any) can be sent again for a retry or a hedge
   * @param timeoutNanos the time the caller allows the call, or {@link Long#MAX_VALUE} for none
   * @throws IllegalArgumentException if the URL has no host
   */
  public static LogicalHttpRequest of(
      String method, URI uri, Headers headers, boolean replayable, long timeoutNanos) {
    requireNonNull(method, "method");
    requireNonNull(uri, "uri");
    requireNonNull(headers, "headers");
    if (timeoutNanos <= 0) {
      throw new IllegalArgumentException("timeoutNanos must be positive, was " + timeoutNanos);
    }
    return new LogicalHttpRequest(method, uri, headers, replayable, timeoutNanos);
  }

  /** The logical URL. */
  public URI uri() {
    return uri;
  }

  /** Whether the body can be sent again. */
  public boolean replayable() {
    return replayable;
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
    return method;
  }

  @Override
  public String header(String lowerCaseName) {
    return headers.first(lowerCaseName);
  }

  @Override
  public boolean idempotent() {
    return replayable && IDEMPOTENT.contains(method);
  }

  @Override
  public long timeoutNanos() {
    return timeoutNanos;
  }

  @Override
  public String spanName() {
    return method;
  }

  @Override
  public void spanAttributes(AttributesBuilder attributes) {
    attributes.put(HTTP_METHOD, method).put(URL_PATH, path);
  }

  @Override
  public String toString() {
    return method + " " + uri;
  }
}
