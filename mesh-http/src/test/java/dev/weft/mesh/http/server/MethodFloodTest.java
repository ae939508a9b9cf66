package dev.weft.mesh.http.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.weft.mesh.testing.http.RawHttp;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Context;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A caller chooses the method: meters must not grow with the methods callers invent. */
class MethodFloodTest {

  @Test
  void aHundredThousandDistinctMethodsLeaveTheMetersBounded() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ServerTelemetry telemetry = new ServerTelemetry(OpenTelemetry.noop(), registry, "flooded");
    for (int i = 0; i < 100_000; i++) {
      String method = "M" + Integer.toString(i, 36).toUpperCase();
      Context c = telemetry.start(method, "/x", name -> null);
      telemetry.end(c, method, 404, 1_000, null);
    }
    telemetry.end(telemetry.start("GET", "/x", name -> null), "GET", 200, 1_000, null);
    Set<String> methods =
        registry.getMeters().stream()
            .map(m -> m.getId().getTag("method"))
            .collect(Collectors.toSet());
    assertThat(methods).containsExactlyInAnyOrder("_OTHER", "GET");
    assertThat(registry.getMeters()).hasSizeLessThanOrEqualTo(2);
  }

  @Test
  void unknownMethodsOverHttpAreTaggedOther() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server
        .createContext(
            "/",
            exchange -> {
              exchange.sendResponseHeaders(204, -1);
              exchange.close();
            })
        .getFilters()
        .add(MeshHttpServerFilter.builder("flooded").meterRegistry(registry).build());
    server.start();
    try {
      int port = server.getAddress().getPort();
      for (int i = 0; i < 300; i++) {
        RawHttp.send(port, "FLOOD" + i, "/x", List.of(), null);
      }
      RawHttp.send(port, "GET", "/x", List.of(), null);
    } finally {
      server.stop(0);
    }
    List<Meter> meters = registry.getMeters();
    assertThat(meters.stream().map(m -> m.getId().getTag("method")).distinct())
        .containsExactlyInAnyOrder("_OTHER", "GET");
  }
}
