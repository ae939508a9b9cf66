package dev.weft.mesh.http.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.mesh.testing.http.PathConfusion;
import dev.weft.mesh.testing.http.PathConfusion.Probe;
import dev.weft.mesh.testing.http.RawHttp;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The attack table on embedded Tomcat with MeshServletFilter, in an application under the context
 * path {@code /app}: policies are written for the path inside the application, and no spelling of
 * {@code /app/admin} (nor a forward or include to it) runs a protected servlet.
 */
class TomcatAttackTableTest {
  private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
  @TempDir Path dir;
  private EmbeddedTomcat tomcat;

  static Stream<Arguments> probes() {
    return Stream.of(AttackPolicies.values())
        .flatMap(
            policy ->
                Stream.concat(
                        PathConfusion.aimedAt("/admin", "/public").stream()
                            .map(p -> new Probe(p.name(), p.method(), "/app" + p.target())),
                        Stream.of(
                            new Probe("encoded context path", "GET", "/%61pp/admin"),
                            new Probe("path parameter on the context", "GET", "/app;x=1/admin"),
                            new Probe("doubled slash after the context", "GET", "/app//admin"),
                            new Probe("forward", "GET", "/app/forward"),
                            new Probe("include", "GET", "/app/include")))
                    .map(probe -> Arguments.of(policy, probe)));
  }

  private int start(AttackPolicies policy) throws LifecycleException {
    tomcat = new EmbeddedTomcat(dir.resolve("tomcat"), "/app");
    Context ctx = tomcat.context;
    counting(ctx, "admin", "/admin/*", "/admin");
    counting(ctx, "public", "/public/*", "/public");
    counting(ctx, "root", "/");
    Tomcat.addServlet(
        ctx,
        "forward",
        new HttpServlet() {
          @Override
          protected void doGet(HttpServletRequest req, HttpServletResponse resp)
              throws ServletException, IOException {
            req.getRequestDispatcher("/admin/x").forward(req, resp);
          }
        });
    ctx.addServletMappingDecoded("/forward", "forward");
    Tomcat.addServlet(
        ctx,
        "include",
        new HttpServlet() {
          @Override
          protected void doGet(HttpServletRequest req, HttpServletResponse resp)
              throws ServletException, IOException {
            req.getRequestDispatcher("/admin/x").include(req, resp);
          }
        });
    ctx.addServletMappingDecoded("/include", "include");
    tomcat.filter(MeshServletFilter.builder("attacked").authorization(policy.enforcer()).build());
    return tomcat.start();
  }

  private void counting(Context ctx, String name, String... mappings) {
    Tomcat.addServlet(
        ctx,
        name,
        new HttpServlet() {
          @Override
          protected void service(HttpServletRequest req, HttpServletResponse resp)
              throws IOException {
            runs.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
            resp.getWriter().write(name);
          }
        });
    for (String m : mappings) {
      ctx.addServletMappingDecoded(m, name);
    }
  }

  private int runsOf(String name) {
    AtomicInteger n = runs.get(name);
    return n == null ? 0 : n.get();
  }

  @AfterEach
  void stop() throws LifecycleException {
    if (tomcat != null) {
      tomcat.close();
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("probes")
  void noSpellingOfTheProtectedPathReachesAProtectedServlet(AttackPolicies policy, Probe probe)
      throws Exception {
    int port = start(policy);
    RawHttp.Response r =
        RawHttp.send(port, probe.method(), probe.target(), List.of("x-tenant: t1"), null);
    assertThat(runsOf("admin"))
        .as("the admin servlet ran for %s (status %d)", probe, r.status())
        .isZero();
    if (policy == AttackPolicies.ALLOW_ONLY) {
      assertThat(runsOf("root") + runsOf("admin"))
          .as("a protected servlet ran for %s (status %d)", probe, r.status())
          .isZero();
      assertThat(r.status()).as(probe.toString()).isIn(400, 403, 404, 501);
    }
  }

  @Test
  void allowedRequestsStillReachTheirServlets() throws Exception {
    int port = start(AttackPolicies.ALLOW_ONLY);
    assertThat(RawHttp.send(port, "GET", "/app/public/x", List.of("x-tenant: t1"), null).status())
        .isEqualTo(200);
    assertThat(
            RawHttp.send(port, "GET", "/app/public;jsessionid=1/x", List.of("x-tenant: t1"), null)
                .status())
        .as("path parameters are not part of the path a policy checks")
        .isEqualTo(200);
    assertThat(runsOf("public")).isEqualTo(2);
    tomcat.close();
    port = start(AttackPolicies.DENY);
    assertThat(RawHttp.send(port, "GET", "/app/public/x", List.of(), null).status()).isEqualTo(200);
    assertThat(RawHttp.send(port, "GET", "/app/admin/x", List.of(), null).status()).isEqualTo(403);
    assertThat(runsOf("public")).isEqualTo(3);
  }

  @Test
  void methodOverridesAreRefused() throws Exception {
    int port = start(AttackPolicies.DENY);
    assertThat(
            RawHttp.send(
                    port, "POST", "/app/public/x", List.of("X-HTTP-Method-Override: DELETE"), "")
                .status())
        .isEqualTo(400);
    assertThat(
            RawHttp.send(
                    port,
                    "POST",
                    "/app/public/x",
                    List.of("Content-Type: application/x-www-form-urlencoded"),
                    "_method=DELETE")
                .status())
        .isEqualTo(400);
    assertThat(RawHttp.send(port, "POST", "/app/public/x?_method=DELETE", List.of(), "").status())
        .isEqualTo(400);
    assertThat(runsOf("public")).isZero();
    assertThat(RawHttp.send(port, "POST", "/app/public/x", List.of(), "plain").status())
        .isEqualTo(200);
  }
}
