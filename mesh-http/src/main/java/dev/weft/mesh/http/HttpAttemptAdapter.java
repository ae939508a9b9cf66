package dev.weft.mesh.http;

import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.TlsSettings;
import dev.weft.mesh.core.spi.Attempt;
import dev.weft.mesh.core.spi.AttemptAdapter;
import dev.weft.mesh.core.spi.AttemptContext;
import dev.weft.mesh.core.spi.AttemptOutcome;
import dev.weft.mesh.core.spi.AttemptSink;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * Makes HTTP attempts with the JDK client chosen for the cluster's TLS settings: rewrites the
 * logical URL to the chosen endpoint, sets the attempt's timeout, injects the trace context, and
 * classifies what comes back.
 */
final class HttpAttemptAdapter<T> implements AttemptAdapter<HttpAttemptResult<T>> {
  /** Headers the JDK client sets itself and refuses from callers. */
  private static final Set<String> RESTRICTED =
      Set.of("connection", "content-length", "expect", "host", "upgrade");

  private static final TextMapSetter<HttpRequest.Builder> SETTER =
      (carrier, key, value) -> {
        if (carrier != null) {
          carrier.setHeader(key, value);
        }
      };

  private final Function<TlsSettings, HttpClient> clients;
  private final HttpRequest logical;
  private final HttpResponse.BodyHandler<T> handler;
  private final TextMapPropagator propagator;

  HttpAttemptAdapter(
      Function<TlsSettings, HttpClient> clients,
      HttpRequest logical,
      HttpResponse.BodyHandler<T> handler,
      TextMapPropagator propagator) {
    this.clients = clients;
    this.logical = logical;
    this.handler = handler;
    this.propagator = propagator;
  }

  @Override
  public Attempt start(AttemptContext context, AttemptSink<HttpAttemptResult<T>> sink) {
    HttpRequest physical;
    HttpClient client;
    try {
      physical = physicalRequest(context);
      client = clients.apply(context.cluster().tls());
    } catch (RuntimeException e) {
      sink.complete(new HttpAttemptResult<>(null, e), AttemptOutcome.CONNECT_FAILURE);
      return () -> {};
    }
    CompletableFuture<HttpResponse<T>> future = client.sendAsync(physical, handler);
    future.whenComplete(
        (response, error) -> {
          if (error == null) {
            sink.complete(
                new HttpAttemptResult<>(response, null),
                AttemptOutcome.http(response.statusCode()));
          } else {
            Throwable cause = unwrap(error);
            sink.complete(new HttpAttemptResult<>(null, cause), classify(cause));
          }
        });
    return () -> future.cancel(true);
  }

  private HttpRequest physicalRequest(AttemptContext context) {
    Endpoint endpoint = context.endpoint();
    URI logicalUri = logical.uri();
    boolean tls = context.cluster().tls().mode() != TlsSettings.Mode.DISABLED;
    URI uri = physicalUri(tls, endpoint, logicalUri);
    // A copy of the logical request (method, body, headers, version, expect-continue, timeout)
    // with the endpoint's URI; headers the JDK client sets itself are left to it.
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
                logical, (name, value) -> !RESTRICTED.contains(name.toLowerCase(Locale.ROOT)))
            .uri(uri);
    if (context.timeoutNanos() != Long.MAX_VALUE) {
      b.timeout(Duration.ofNanos(Math.max(1_000_000L, context.timeoutNanos())));
    }
    propagator.inject(context.traceContext(), b, SETTER);
    return b.build();
  }

  /**
   * The logical URI's path and query (as the caller encoded them) on the endpoint: what {@code new
   * URI(scheme, null, host, port, path, query, null)} makes, without decoding and re-encoding them.
   */
  static URI physicalUri(boolean tls, Endpoint endpoint, URI logicalUri) {
    String host = endpoint.host();
    String path = logicalUri.getRawPath();
    String query = logicalUri.getRawQuery();
    StringBuilder sb =
        new StringBuilder(
            16
                + host.length()
                + (path == null ? 0 : path.length())
                + (query == null ? 0 : query.length()));
    sb.append(tls ? "https://" : "http://");
    if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
      sb.append('[').append(host).append(']');
    } else {
      sb.append(host);
    }
    sb.append(':').append(endpoint.port());
    if (path != null) {
      sb.append(path);
    }
    if (query != null) {
      sb.append('?').append(query);
    }
    try {
      return new URI(sb.toString());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "cannot address " + endpoint.address() + " for " + logicalUri, e);
    }
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException
            || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  static AttemptOutcome classify(Throwable t) {
    if (t instanceof CancellationException) {
      return AttemptOutcome.CANCELLED;
    }
    if (t instanceof HttpConnectTimeoutException || t instanceof ConnectException) {
      return AttemptOutcome.CONNECT_FAILURE;
    }
    if (t instanceof HttpTimeoutException) {
      return AttemptOutcome.TIMEOUT;
    }
    if (t instanceof IOException && t.getCause() instanceof ConnectException) {
      return AttemptOutcome.CONNECT_FAILURE;
    }
    if (t instanceof IOException || t instanceof ClosedChannelException) {
      return AttemptOutcome.RESET;
    }
    return AttemptOutcome.RESET;
  }

  @Override
  public void discard(HttpAttemptResult<T> result) {
    // Bodies are read whole by the caller's BodyHandler; nothing stays open to release.
  }
}
