package dev.weft.mesh.http.server;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.io.IOException;

/**
 * A filter for the JDK's {@code com.sun.net.httpserver.HttpServer} that continues the caller's trace
 * (W3C {@code traceparent} and baggage through the configured propagators), makes the server span
 * current for the handler, and measures each request.
 *
 * <pre>{@code
 * HttpContext ctx = server.createContext("/", handler);
 * ctx.getFilters().add(MeshHttpServerFilter.builder("reviews").openTelemetry(otel).build());
 * }</pre>
 */
public final class MeshHttpServerFilter extends Filter {
  private final ServerTelemetry telemetry;

  private MeshHttpServerFilter(ServerTelemetry telemetry) {
    this.telemetry = telemetry;
  }

  /** A builder for the filter of the service {@code service} (a tag on its metrics). */
  public static Builder builder(String service) {
    return new Builder(service);
  }

  @Override
  public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
    String method = exchange.getRequestMethod();
    long start = System.nanoTime();
    Context context = telemetry.start(method, exchange.getRequestURI().getRawPath(),
        name -> exchange.getRequestHeaders().getFirst(name));
    Throwable error = null;
    try (Scope ignored = context.makeCurrent()) {
      chain.doFilter(exchange);
    } catch (IOException | RuntimeException e) {
      error = e;
      throw e;
    } finally {
      int status = exchange.getResponseCode();
      telemetry.end(context, method, status < 0 ? 500 : status, System.nanoTime() - start, error);
    }
  }

  @Override
  public String description() {
    return "Weft mesh server filter: trace context and metrics";
  }

  /** Builds a {@link MeshHttpServerFilter}. */
  public static final class Builder {
    private final String service;
    private OpenTelemetry openTelemetry = OpenTelemetry.noop();
    private MeterRegistry registry;

    private Builder(String service) {
      this.service = requireNonNull(service, "service");
    }

    /** Where server spans go and how context is extracted; default: no tracing. */
    public Builder openTelemetry(OpenTelemetry openTelemetry) {
      this.openTelemetry = requireNonNull(openTelemetry, "openTelemetry");
      return this;
    }

    /** Where {@code weft.server.requests} goes; default: no metrics. */
    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = requireNonNull(registry, "registry");
      return this;
    }

    public MeshHttpServerFilter build() {
      return new MeshHttpServerFilter(new ServerTelemetry(openTelemetry, registry, service));
    }
  }
}
