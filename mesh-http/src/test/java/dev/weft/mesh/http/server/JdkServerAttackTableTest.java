package dev.weft.mesh.http.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.weft.mesh.testing.http.PathConfusion;
import dev.weft.mesh.testing.http.PathConfusion.Probe;
import dev.weft.mesh.testing.http.RawHttp;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The attack table on the JDK's HttpServer with MeshHttpServerFilter: for every spelling of {@code
 * /admin}, under a DENY policy on it and under an ALLOW-only policy for {@code /public}, the
 * handlers the policy protects never run.
 */
class JdkServerAttackTableTest {
  private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
  private HttpServer server;

  static Stream<Arguments> probes() {
    return Stream.of(AttackPolicies.values())
        .flatMap(
            policy ->
                PathConfusion.aimedAt("/admin", "/public").stream()
                    .map(probe -> Arguments.of(policy, probe)));
  }

  private int start(AttackPolicies policy) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    MeshHttpServerFilter filter =
        MeshHttpServerFilter.builder("attacked").authorization(policy.enforcer()).build();
    for (String context : List.of("/admin", "/public", "/")) {
      String name = context.equals("/") ? "root" : context.substring(1);
      server.createContext(context, exchange -> serve(name, exchange)).getFilters().add(filter);
    }
    server.start();
    return server.getAddress().getPort();
  }

  private void serve(String name, HttpExchange exchange) throws IOException {
    runs.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
    byte[] body = name.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(
        200, "HEAD".equals(exchange.getRequestMethod()) ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      if (!"HEAD".equals(exchange.getRequestMethod())) {
        out.write(body);
      }
    }
  }

  private int runsOf(String name) {
    AtomicInteger n = runs.get(name);
    return n == null ? 0 : n.get();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("probes")
  void noSpellingOfTheProtectedPathReachesAProtectedHandler(AttackPolicies policy, Probe probe)
      throws IOException {
    int port = start(policy);
    RawHttp.Response r =
        RawHttp.send(port, probe.method(), probe.target(), List.of("x-tenant: t1"), null);
    assertThat(runsOf("admin"))
        .as("the /admin handler ran for %s (status %d)", probe, r.status())
        .isZero();
    if (policy == AttackPolicies.ALLOW_ONLY) {
      assertThat(runs).as("a handler ran for %s (status %d)", probe, r.status()).isEmpty();
      assertThat(r.status()).as(probe.toString()).isIn(400, 403, 404);
    }
  }

  @Test
  void theDenyPolicyLetsOtherPathsThroughAndCatchesAnEmptyHeader() throws IOException {
    int port = start(AttackPolicies.DENY);
    assertThat(RawHttp.send(port, "GET", "/public/x", List.of(), null).status()).isEqualTo(200);
    assertThat(RawHttp.send(port, "GET", "/%70ublic/x", List.of(), null).status())
        .as("an encoded letter that leads to an allowed path is fine")
        .isEqualTo(200);
    assertThat(runsOf("public")).isEqualTo(2);
    assertThat(RawHttp.send(port, "GET", "/admin", List.of(), null).status()).isEqualTo(403);
    RawHttp.Response debug = RawHttp.send(port, "GET", "/public/x", List.of("x-debug:"), null);
    assertThat(debug.status()).as("present matches an empty header").isEqualTo(403);
    assertThat(runsOf("public")).isEqualTo(2);
    assertThat(debug.body()).doesNotContain("no-debug").doesNotContain("rule");
  }

  @Test
  void theAllowOnlyPolicyServesItsPathAndRefusesRepeatedOrMissingHeaders() throws IOException {
    int port = start(AttackPolicies.ALLOW_ONLY);
    assertThat(RawHttp.send(port, "GET", "/public/x", List.of("x-tenant: t1"), null).status())
        .isEqualTo(200);
    assertThat(RawHttp.send(port, "HEAD", "/public/x", List.of("x-tenant: t1"), null).status())
        .as("HEAD runs the GET handler, so a policy on GET covers it")
        .isEqualTo(200);
    assertThat(runsOf("public")).isEqualTo(2);
    assertThat(
            RawHttp.send(port, "GET", "/public/x", List.of("x-tenant: t1", "x-tenant: t2"), null)
                .status())
        .as("repeated headers are joined, t1,t2 is not t1")
        .isEqualTo(403);
    assertThat(RawHttp.send(port, "GET", "/public/x", List.of(), null).status()).isEqualTo(403);
    assertThat(RawHttp.send(port, "get", "/public/x", List.of("x-tenant: t1"), null).status())
        .isEqualTo(400);
    assertThat(RawHttp.send(port, "POST", "/public/x", List.of("x-tenant: t1"), "x").status())
        .isEqualTo(403);
    assertThat(runsOf("public")).isEqualTo(2);
  }
}
