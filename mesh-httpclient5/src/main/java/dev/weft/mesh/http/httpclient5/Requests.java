package dev.weft.mesh.http.httpclient5;

import dev.weft.mesh.api.config.TlsSettings;
import dev.weft.mesh.core.spi.AttemptContext;
import dev.weft.mesh.http.adapter.LogicalHttpRequest;
import java.net.URI;
import java.net.URISyntaxException;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.net.URIAuthority;
import org.apache.hc.core5.util.Timeout;

/** What the classic and the async handler share: the logical request and each attempt's route. */
final class Requests {
  private Requests() {}

  /** The request's host: its authority's, or the route's target for a relative request. */
  static String host(HttpRequest request, HttpRoute route) {
    URIAuthority authority = request.getAuthority();
    if (authority != null) {
      return authority.getHostName();
    }
    return route == null ? null : route.getTargetHost().getHostName();
  }

  static LogicalHttpRequest logical(HttpRequest request, boolean replayable)
      throws java.io.IOException {
    URI uri;
    try {
      uri = request.getUri();
    } catch (URISyntaxException e) {
      throw new java.io.IOException("not a URL: " + request.getRequestUri(), e);
    }
    return LogicalHttpRequest.of(
        request.getMethod(),
        uri,
        name -> {
          Header h = request.getFirstHeader(name);
          return h == null ? null : h.getValue();
        },
        replayable,
        Long.MAX_VALUE);
  }

  /** The route straight to the attempt's endpoint, over TLS when its cluster uses it. */
  static HttpRoute route(AttemptContext attempt) {
    boolean tls = attempt.cluster().tls().mode() != TlsSettings.Mode.DISABLED;
    HttpHost target =
        new HttpHost(tls ? "https" : "http", attempt.endpoint().host(), attempt.endpoint().port());
    return new HttpRoute(target, null, tls);
  }

  /**
   * Sets the attempt's time as the connect and response timeouts of the context's request config.
   */
  @SuppressWarnings("deprecation") // the per-request connect timeout is the one the client honours
  static void applyTimeout(HttpClientContext context, RequestConfig base, AttemptContext attempt) {
    long nanos = attempt.timeoutNanos();
    if (nanos == Long.MAX_VALUE) {
      context.setRequestConfig(base);
      return;
    }
    Timeout t = Timeout.ofMilliseconds(Math.max(1, (nanos + 999_999) / 1_000_000));
    context.setRequestConfig(
        RequestConfig.copy(base).setConnectTimeout(t).setResponseTimeout(t).build());
  }
}
