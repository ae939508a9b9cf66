package dev.weft.mesh.http.server;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * What the HTTP server filters record for each request: a SERVER span that continues the caller's
 * trace (HTTP semantic conventions) and a {@code weft.server.requests} timer. Shared by the JDK
 * {@code HttpServer} filter and the servlet filter.
 */
final class ServerTelemetry {
  static final String REQUESTS = "weft.server.requests";
  private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  private static final AttributeKey<String> METHOD_ORIGINAL =
      AttributeKey.stringKey("http.request.method_original");

  /** The methods of RFC 9110 and RFC 5789, as OpenTelemetry's semantic conventions know them. */
  private static final java.util.Set<String> KNOWN_METHODS =
      java.util.Set.of(
          "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

  /** The method as meters and spans name it: one of the known ones, or {@code _OTHER}. */
  static String methodTag(String method) {
    return KNOWN_METHODS.contains(method) ? method : "_OTHER";
  }

  private static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");
  private static final AttributeKey<Long> STATUS =
      AttributeKey.longKey("http.response.status_code");
  private static final TextMapGetter<Function<String, String>> GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Function<String, String> carrier) {
          return java.util.List.of();
        }

        @Override
        public String get(Function<String, String> carrier, String key) {
          return carrier == null ? null : carrier.apply(key);
        }
      };

  private final OpenTelemetry openTelemetry;
  private final Tracer tracer;
  private final MeterRegistry registry;
  private final String service;

  ServerTelemetry(OpenTelemetry openTelemetry, MeterRegistry registry, String service) {
    this.openTelemetry = requireNonNull(openTelemetry, "openTelemetry");
    this.tracer = openTelemetry.getTracer("dev.weft.mesh.http");
    this.registry = registry;
    this.service = requireNonNull(service, "service");
  }

  /** Starts the request's span from the headers; the returned context holds it. */
  Context start(String method, String path, Function<String, String> headers) {
    String tag = methodTag(method);
    Context parent =
        openTelemetry
            .getPropagators()
            .getTextMapPropagator()
            .extract(Context.root(), headers, GETTER);
    Span span =
        tracer
            .spanBuilder(tag.equals("_OTHER") ? "HTTP" : tag)
            .setParent(parent)
            .setSpanKind(SpanKind.SERVER)
            .setAttribute(METHOD, tag)
            .setAttribute(PATH, path)
            .startSpan();
    if (!tag.equals(method)) {
      // a caller chooses the method: the original goes on the span, never into a meter's tags
      span.setAttribute(METHOD_ORIGINAL, method);
    }
    return parent.with(span);
  }

  void end(Context context, String method, int status, long nanos, Throwable error) {
    Span span = Span.fromContext(context);
    span.setAttribute(STATUS, (long) status);
    if (status >= 500 || error != null) {
      span.setStatus(StatusCode.ERROR);
      if (error != null) {
        span.recordException(error);
      }
    }
    span.end();
    if (registry != null) {
      Timer.builder(REQUESTS)
          .description("HTTP requests served")
          .tags(
              "service",
              service,
              "method",
              methodTag(method),
              "status",
              Integer.toString(status / 100) + "xx")
          .register(registry)
          .record(nanos, TimeUnit.NANOSECONDS);
    }
  }
}
