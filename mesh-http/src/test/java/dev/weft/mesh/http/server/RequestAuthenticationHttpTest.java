package dev.weft.mesh.http.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.security.AuthorizationPolicy;
import dev.weft.mesh.api.security.AuthorizationPolicy.Action;
import dev.weft.mesh.api.security.AuthorizationPolicy.Operation;
import dev.weft.mesh.api.security.AuthorizationPolicy.Rule;
import dev.weft.mesh.api.security.AuthorizationPolicy.Source;
import dev.weft.mesh.api.security.RequestAuthentication;
import dev.weft.mesh.api.security.RequestAuthentication.ClaimToHeader;
import dev.weft.mesh.api.security.RequestAuthentication.JwtRule;
import dev.weft.mesh.security.AuditSink;
import dev.weft.mesh.security.AuthorizationEnforcer;
import dev.weft.mesh.testing.jwt.TestIssuer;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * End-user tokens behind both server filters: JWT required for {@code /api/*} by a policy, a
 * principal and claim header for the application, 401 for every kind of bad token.
 */
class RequestAuthenticationHttpTest {
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  @TempDir Path dir;
  private TestIssuer issuer;
  private AuthorizationEnforcer enforcer;
  private final List<String> audit = new CopyOnWriteArrayList<>();
  private HttpServer jdk;
  private EmbeddedTomcat tomcat;

  static Stream<String> servers() {
    return Stream.of("jdk", "servlet");
  }

  @BeforeEach
  void setUp() {
    issuer = TestIssuer.start("https://issuer.test");
    issuer.addRsaKey("rsa-2");
    AuditSink sink = e -> audit.add(e.toLogLine());
    enforcer = AuthorizationEnforcer.builder().auditSink(sink).build();
    JwtRule rule =
        new JwtRule(
            issuer.issuer(),
            List.of("bookinfo"),
            issuer.jwksUri(),
            null,
            List.of(RequestAuthentication.JwtHeader.AUTHORIZATION_BEARER),
            List.of("access_token"),
            List.of(new ClaimToHeader("x-user", "sub")),
            false,
            null,
            null,
            java.time.Duration.ZERO);
    enforcer.update(
        MeshConfig.builder()
            .requestAuthentication(RequestAuthentication.of("jwt", rule))
            .authorizationPolicy(
                AuthorizationPolicy.of(
                    "require-jwt-for-api",
                    Action.DENY,
                    Rule.from(
                            new Source(
                                List.of(),
                                List.of(),
                                List.of(),
                                List.of(),
                                List.of(),
                                List.of("*")))
                        .to(Operation.paths("/api/*"))))
            .build(),
        "productpage");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (jdk != null) {
      jdk.stop(0);
    }
    if (tomcat != null) {
      tomcat.close();
    }
    issuer.close();
  }

  private int start(String kind) throws Exception {
    if (kind.equals("jdk")) {
      jdk = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      jdk.createContext("/", RequestAuthenticationHttpTest::answerJdk)
          .getFilters()
          .add(MeshHttpServerFilter.builder("productpage").authorization(enforcer).build());
      jdk.start();
      return jdk.getAddress().getPort();
    }
    tomcat = new EmbeddedTomcat(dir.resolve("tomcat"), "");
    Tomcat.addServlet(
        tomcat.context,
        "answer",
        new HttpServlet() {
          @Override
          protected void doGet(HttpServletRequest req, HttpServletResponse resp)
              throws IOException {
            String user =
                req.getUserPrincipal() == null ? "anonymous" : req.getUserPrincipal().getName();
            String attr =
                MeshServletFilter.requestPrincipal(req).map(p -> p.getName()).orElse("anonymous");
            assertThat(attr).isEqualTo(user);
            write(
                resp,
                user
                    + "|"
                    + req.getHeader("x-user")
                    + "|"
                    + tokenSeen(req.getHeader("authorization")));
          }
        });
    tomcat.context.addServletMappingDecoded("/", "answer");
    Tomcat.addServlet(
        tomcat.context,
        "forward",
        new HttpServlet() {
          @Override
          protected void doGet(HttpServletRequest req, HttpServletResponse resp)
              throws ServletException, IOException {
            req.getRequestDispatcher("/api/forwarded").forward(req, resp);
          }
        });
    tomcat.context.addServletMappingDecoded("/forward", "forward");
    tomcat.filter(MeshServletFilter.builder("productpage").authorization(enforcer).build());
    return tomcat.start();
  }

  private static String tokenSeen(String authorization) {
    return authorization == null ? "no-token" : "token";
  }

  private static void write(HttpServletResponse resp, String body) throws IOException {
    resp.setContentType("text/plain");
    resp.getWriter().write(body);
  }

  private static void answerJdk(HttpExchange exchange) throws IOException {
    String user =
        MeshHttpServerFilter.requestPrincipal(exchange).map(p -> p.getName()).orElse("anonymous");
    byte[] body =
        (user
                + "|"
                + exchange.getRequestHeaders().getFirst("x-user")
                + "|"
                + tokenSeen(exchange.getRequestHeaders().getFirst("authorization")))
            .getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static HttpResponse<String> get(int port, String path, String... headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String valid(String subject) {
    return issuer.token(c -> c.subject(subject).audience("bookinfo"));
  }

  @ParameterizedTest
  @MethodSource("servers")
  void aValidTokenReachesTheApplicationAsItsPrincipal(String kind) throws Exception {
    int port = start(kind);
    HttpResponse<String> r =
        get(
            port,
            "/api/v1/products",
            "Authorization",
            "Bearer " + valid("alice"),
            "x-user",
            "admin");
    assertThat(r.statusCode()).isEqualTo(200);
    // the caller's own x-user is replaced by the verified claim; the token is not forwarded
    assertThat(r.body()).isEqualTo("https://issuer.test/alice|alice|no-token");

    // a token in the query parameter the rule names
    r = get(port, "/api/v1/products?access_token=" + valid("bob"));
    assertThat(r.body()).startsWith("https://issuer.test/bob|bob|");
  }

  @ParameterizedTest
  @MethodSource("servers")
  void withoutATokenPublicPathsPassAndTheApiIsDenied(String kind) throws Exception {
    int port = start(kind);
    HttpResponse<String> open = get(port, "/productpage", "x-user", "admin");
    assertThat(open.statusCode()).isEqualTo(200);
    // a caller cannot hand the application a claim header without a token either
    assertThat(open.body()).isEqualTo("anonymous|null|no-token");
    assertThat(get(port, "/api/v1/products").statusCode()).isEqualTo(403);
  }

  @ParameterizedTest
  @MethodSource("servers")
  void everyBadTokenIs401(String kind) throws Exception {
    int port = start(kind);
    long now = System.currentTimeMillis();
    List<String> bad =
        List.of(
            issuer.token(
                c -> c.subject("a").audience("bookinfo").expirationTime(new Date(now - 300_000))),
            issuer.token(c -> c.subject("a").audience("bookinfo").issuer("https://evil.test")),
            issuer.token(c -> c.subject("a").audience("elsewhere")),
            TestIssuer.tampered(valid("a")),
            issuer.unsignedToken(c -> c.subject("a").audience("bookinfo")),
            issuer.token("rsa-2", c -> c.subject("a").audience("bookinfo"))); // kid not published
    for (String token : bad) {
      // on a public path too: a token that is there must be valid
      HttpResponse<String> r = get(port, "/productpage", "Authorization", "Bearer " + token);
      assertThat(r.statusCode()).as(token).isEqualTo(401);
      assertThat(r.headers().firstValue("www-authenticate"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
      assertThat(r.body()).isEqualTo("the request's token is not valid");
    }
    assertThat(audit).filteredOn(l -> l.startsWith("UNAUTHENTICATED")).hasSize(bad.size());
  }

  @ParameterizedTest
  @MethodSource("servers")
  void aForwardIsCheckedWithTheTokenAsReceived(String kind) throws Exception {
    if (!kind.equals("servlet")) {
      return; // the JDK server has no dispatches
    }
    int port = start(kind);
    HttpResponse<String> r = get(port, "/forward", "Authorization", "Bearer " + valid("alice"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("https://issuer.test/alice|alice|no-token");
    assertThat(get(port, "/forward").statusCode()).isEqualTo(403);
  }
}
