package dev.weft.mesh.http.server;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * A Jakarta Servlet filter that continues the caller's trace, makes the server span current for the
 * rest of the chain, and measures each request. Needs {@code jakarta.servlet-api} 6 on the class
 * path (an optional dependency of mesh-http). Asynchronous requests are measured until the filter
 * chain returns.
 */
public final class MeshServletFilter implements Filter {
  private final ServerTelemetry telemetry;

  private MeshServletFilter(ServerTelemetry telemetry) {
    this.telemetry = telemetry;
  }

  /** A builder for the filter of the service {@code service} (a tag on its metrics). */
  public static Builder builder(String service) {
    return new Builder(service);
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
    if (!(request instanceof HttpServletRequest http) || !(response instanceof HttpServletResponse httpResponse)) {
      chain.doFilter(request, response);
      return;
    }
    String method = http.getMethod();
    long start = System.nanoTime();
    Context context = telemetry.start(method, http.getRequestURI(), http::getHeader);
    Throwable error = null;
    try (Scope ignored = context.makeCurrent()) {
      chain.doFilter(request, response);
    } catch (IOException | ServletException | RuntimeException e) {
      error = e;
      throw e;
    } finally {
      int status = error != null && httpResponse.getStatus() < 400 ? 500 : httpResponse.getStatus();
      telemetry.end(context, method, status, System.nanoTime() - start, error);
    }
  }

  /** Builds a {@link MeshServletFilter}. */
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

    public MeshServletFilter build() {
      return new MeshServletFilter(new ServerTelemetry(openTelemetry, registry, service));
    }
  }
}
