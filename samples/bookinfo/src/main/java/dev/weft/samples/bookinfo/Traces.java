package dev.weft.samples.bookinfo;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;

/**
 * OpenTelemetry for the sample: W3C trace context between the services and the most recent spans
 * kept in memory, so that the command can show one trace without a tracing back end.
 */
final class Traces implements SpanExporter {
  private static final int KEPT = 20_000;
  private final Deque<SpanData> spans = new ArrayDeque<>();
  private final OpenTelemetrySdk sdk;

  Traces() {
    this.sdk =
        OpenTelemetrySdk.builder()
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(this))
                    .build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build();
  }

  OpenTelemetry openTelemetry() {
    return sdk;
  }

  /** The spans of one trace, earliest first. */
  synchronized List<SpanData> trace(String traceId) {
    return spans.stream()
        .filter(s -> s.getTraceId().equals(traceId))
        .sorted(Comparator.comparingLong(SpanData::getStartEpochNanos))
        .toList();
  }

  @Override
  public synchronized CompletableResultCode export(Collection<SpanData> batch) {
    for (SpanData span : batch) {
      spans.addLast(span);
      if (spans.size() > KEPT) {
        spans.removeFirst();
      }
    }
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }

  void stop() {
    sdk.getSdkTracerProvider().close();
  }
}
