package dev.weft.mesh.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpServer;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.http.server.MeshHttpServerFilter;
import dev.weft.mesh.http.server.MeshServletFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServerFiltersTest {
  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final SdkTracerProvider tracerProvider =
      SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
  private final OpenTelemetrySdk otel =
      OpenTelemetrySdk.builder()
          .setTracerProvider(tracerProvider)
          .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
          .build();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicReference<String> traceSeenByHandler = new AtomicReference<>();

  @AfterEach
  void close() {
    tracerProvider.close();
  }

  private String callThroughMesh(int port) throws Exception {
    try (Mesh mesh =
            Mesh.builder()
                .openTelemetry(otel)
                .config(
                    MeshConfig.builder()
                        .cluster(
                            Cluster.builder("reviews")
                                .endpoints(Endpoint.of("127.0.0.1", port))
                                .build())
                        .build())
                .build();
        MeshHttpClient client = MeshHttpClient.builder(mesh).build()) {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(URI.create("http://reviews/reviews/1")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      return r.body();
    }
  }

  private void assertServerSpanContinuesTheAttempt() {
    List<SpanData> spans = exporter.getFinishedSpanItems();
    SpanData server =
        spans.stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
    SpanData attempt =
        spans.stream().filter(s -> s.getKind() == SpanKind.CLIENT).findFirst().orElseThrow();
    assertThat(server.getTraceId()).isEqualTo(attempt.getTraceId());
    assertThat(server.getParentSpanId()).isEqualTo(attempt.getSpanId());
    assertThat(
            server
                .getAttributes()
                .get(io.opentelemetry.api.common.AttributeKey.longKey("http.response.status_code")))
        .isEqualTo(200L);
    assertThat(traceSeenByHandler.get()).isEqualTo(server.getTraceId());
    assertThat(registry.get("weft.server.requests").tag("status", "2xx").timer().count())
        .isEqualTo(1);
  }

  @Test
  void theJdkServerFilterContinuesTheCallersTrace() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    HttpContext ctx =
        server.createContext(
            "/",
            exchange -> {
              traceSeenByHandler.set(Span.current().getSpanContext().getTraceId());
              byte[] body = "ok".getBytes();
              exchange.sendResponseHeaders(200, body.length);
              try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
              }
            });
    ctx.getFilters()
        .add(
            MeshHttpServerFilter.builder("reviews")
                .openTelemetry(otel)
                .meterRegistry(registry)
                .build());
    server.start();
    try {
      assertThat(callThroughMesh(server.getAddress().getPort())).isEqualTo("ok");
      assertServerSpanContinuesTheAttempt();
    } finally {
      server.stop(0);
    }
  }

  @Test
  void theServletFilterContinuesTheCallersTrace() throws Exception {
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(java.nio.file.Files.createTempDirectory("tomcat").toString());
    tomcat.setHostname("127.0.0.1");
    tomcat.getConnector().setProperty("address", "127.0.0.1");
    tomcat.setPort(0);
    Context ctx = tomcat.addContext("", null);
    Tomcat.addServlet(
        ctx,
        "reviews",
        new HttpServlet() {
          @Override
          protected void doGet(HttpServletRequest req, HttpServletResponse resp)
              throws IOException {
            traceSeenByHandler.set(Span.current().getSpanContext().getTraceId());
            resp.getWriter().write("ok");
          }
        });
    ctx.addServletMappingDecoded("/*", "reviews");
    FilterDef def = new FilterDef();
    def.setFilterName("mesh");
    def.setFilter(
        MeshServletFilter.builder("reviews").openTelemetry(otel).meterRegistry(registry).build());
    ctx.addFilterDef(def);
    FilterMap map = new FilterMap();
    map.setFilterName("mesh");
    map.addURLPattern("/*");
    ctx.addFilterMap(map);
    tomcat.start();
    try {
      assertThat(callThroughMesh(tomcat.getConnector().getLocalPort())).isEqualTo("ok");
      assertServerSpanContinuesTheAttempt();
    } finally {
      tomcat.stop();
      tomcat.destroy();
    }
  }
}
