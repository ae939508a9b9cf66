package dev.weft.mesh.http.adapter;

import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.core.spi.AttemptContext;
import java.util.function.BiConsumer;

/**
 * Writes an attempt's trace context (W3C {@code traceparent} and the like) into request headers.
 */
public final class TraceHeaders {
  private TraceHeaders() {}

  /**
   * Injects the attempt span's context with the mesh's propagators; {@code header} sets (replaces)
   * one header.
   */
  public static void inject(Mesh mesh, AttemptContext attempt, BiConsumer<String, String> header) {
    mesh.openTelemetry()
        .getPropagators()
        .getTextMapPropagator()
        .inject(
            attempt.traceContext(),
            header,
            (carrier, key, value) -> {
              if (carrier != null) {
                carrier.accept(key, value);
              }
            });
  }
}
