package dev.weft.mesh.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.mesh.testing.http.PathConfusion;
import dev.weft.mesh.testing.http.RawHttp;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The attack table on a Spring Boot MVC application (embedded Tomcat on a random port, context path
 * {@code /app}) configured only by the starter and a YAML mesh file, with Spring's own request
 * rewriting switched on: {@code ForwardedHeaderFilter} ({@code
 * server.forward-headers-strategy=framework}) and {@code HiddenHttpMethodFilter}. No spelling of
 * {@code /app/admin}, no forwarded prefix and no method override reaches a protected controller.
 */
class SpringMvcAttackTableTest {

  /** The two policy files the application runs with, one application each. */
  enum Policies {
    /** DENY {@code /admin*}, DENY {@code DELETE /items*}, DENY {@code GET /items/secret*}. */
    DENY(
        """
        version: "deny-1"
        authorizationPolicies:
          - name: no-admin
            services: [attacked]
            action: DENY
            rules:
              - to: [{paths: ["/admin*"]}]
          - name: no-item-deletes
            action: DENY
            rules:
              - to: [{methods: [DELETE], paths: ["/items*"]}]
          - name: no-secret-reads
            action: DENY
            rules:
              - to: [{methods: [GET], paths: ["/items/secret*"]}]
          - name: no-forwarded-hosts
            action: DENY
            rules:
              - when: [{key: "request.headers[x-forwarded-host]", values: ["*"]}]
        """),
    /** ALLOW only {@code GET /public*}: everything else is denied. */
    ALLOW_ONLY(
        """
        version: "allow-1"
        authorizationPolicies:
          - name: public-reads
            services: [attacked]
            action: ALLOW
            rules:
              - to: [{methods: [GET], paths: ["/public*"]}]
        """);

    final String yaml;

    Policies(String yaml) {
      this.yaml = yaml;
    }
  }

  /** One request of the table: a method and target sent as written, with extra header lines. */
  record Attack(String name, String method, String target, List<String> headers) {
    @Override
    public String toString() {
      return name + ": " + method + " " + target + (headers.isEmpty() ? "" : " " + headers);
    }
  }

  @TempDir static Path dir;

  private static final Map<Policies, ConfigurableApplicationContext> apps =
      new EnumMap<>(Policies.class);

  @BeforeAll
  static void startApplications() throws IOException {
    for (Policies policy : Policies.values()) {
      Path config = Files.writeString(dir.resolve(policy.name() + ".yaml"), policy.yaml);
      apps.put(
          policy,
          new SpringApplicationBuilder(AttackedApp.class)
              .properties(
                  "server.port=0",
                  "server.address=127.0.0.1",
                  "server.servlet.context-path=/app",
                  "server.forward-headers-strategy=framework",
                  "spring.mvc.hiddenmethod.filter.enabled=true",
                  "weft.mesh.config.file=" + config,
                  "weft.mesh.server.service=attacked",
                  "spring.main.banner-mode=off")
              .run());
    }
  }

  @AfterAll
  static void stopApplications() {
    apps.values().forEach(ConfigurableApplicationContext::close);
  }

  @BeforeEach
  void resetCounts() {
    apps.values().forEach(c -> c.getBean(Calls.class).clear());
  }

  private static int port(Policies policy) {
    return ((WebServerApplicationContext) apps.get(policy)).getWebServer().getPort();
  }

  private static Calls calls(Policies policy) {
    return apps.get(policy).getBean(Calls.class);
  }

  private static RawHttp.Response send(
      Policies policy, String method, String target, List<String> headers, String body)
      throws IOException {
    return RawHttp.send(port(policy), method, target, headers, body);
  }

  static Stream<Arguments> attacks() {
    Stream<Attack> spellings =
        PathConfusion.aimedAt("/admin", "/public").stream()
            .map(p -> new Attack(p.name(), p.method(), "/app" + p.target(), List.of()));
    Stream<Attack> context =
        Stream.of(
            new Attack("encoded context path", "GET", "/%61pp/admin", List.of()),
            new Attack("path parameter on the context", "GET", "/app;x=1/admin", List.of()),
            new Attack("doubled slash after the context", "GET", "/app//admin", List.of()));
    Stream<Attack> forwarded =
        Stream.of("/public", "/", "/app/public", "/public/..", "/app/public/..")
            .map(
                prefix ->
                    new Attack(
                        "forwarded prefix " + prefix,
                        "GET",
                        "/app/admin",
                        List.of("X-Forwarded-Prefix: " + prefix)));
    List<Attack> all = Stream.of(spellings, context, forwarded).flatMap(s -> s).toList();
    return Stream.of(Policies.values())
        .flatMap(policy -> all.stream().map(a -> Arguments.of(policy, a)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("attacks")
  void noSpellingOfTheProtectedPathReachesAProtectedController(Policies policy, Attack attack)
      throws Exception {
    RawHttp.Response r = send(policy, attack.method(), attack.target(), attack.headers(), null);
    assertThat(calls(policy).count("admin"))
        .as("the admin controller ran for %s (status %d)", attack, r.status())
        .isZero();
    assertThat(r.body()).as("the denial names no policy").doesNotContain("no-admin");
    if (policy == Policies.ALLOW_ONLY) {
      assertThat(calls(policy).handlers())
          .as("a controller other than the public one ran for %s (status %d)", attack, r.status())
          .isSubsetOf(PublicController.class.getSimpleName());
      assertThat(r.status()).as(attack.toString()).isIn(400, 403, 404, 501);
    }
  }

  @Test
  void thePlainProtectedPathIsDeniedWithABodyThatNamesNoPolicy() throws Exception {
    RawHttp.Response r = send(Policies.DENY, "GET", "/app/admin/x", List.of(), null);
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.body()).doesNotContain("no-admin");
    assertThat(calls(Policies.DENY).count("admin")).isZero();
  }

  @Test
  void allowedRequestsReachTheirControllers() throws Exception {
    assertThat(send(Policies.DENY, "GET", "/app/public/x", List.of(), null).status())
        .isEqualTo(200);
    assertThat(send(Policies.DENY, "GET", "/app/items/1", List.of(), null).status()).isEqualTo(200);
    assertThat(calls(Policies.DENY).count("public")).isEqualTo(1);
    assertThat(calls(Policies.DENY).count("items GET")).isEqualTo(1);

    assertThat(send(Policies.ALLOW_ONLY, "GET", "/app/public/x", List.of(), null).status())
        .isEqualTo(200);
    assertThat(
            send(
                    Policies.ALLOW_ONLY,
                    "GET",
                    "/app/public/x",
                    List.of("X-Forwarded-Prefix: /p"),
                    null)
                .status())
        .as("a forwarded prefix changes nothing the policy checks")
        .isEqualTo(200);
    assertThat(calls(Policies.ALLOW_ONLY).count("public")).isEqualTo(2);
    assertThat(send(Policies.ALLOW_ONLY, "GET", "/app/items/1", List.of(), null).status())
        .isEqualTo(403);
    assertThat(calls(Policies.ALLOW_ONLY).count("items GET")).isZero();
  }

  @Test
  void aDeleteIsDeniedAndAPostIsNot() throws Exception {
    assertThat(send(Policies.DENY, "DELETE", "/app/items/1", List.of(), null).status())
        .isEqualTo(403);
    assertThat(send(Policies.DENY, "POST", "/app/items/1", List.of(), "plain").status())
        .isEqualTo(200);
    assertThat(calls(Policies.DENY).count("items DELETE")).isZero();
    assertThat(calls(Policies.DENY).count("items POST")).isEqualTo(1);
  }

  static Stream<Arguments> methodOverrides() {
    String form = "Content-Type: application/x-www-form-urlencoded";
    return Stream.of(
        Arguments.of("hidden form field", List.of(form), "_method=DELETE", "/app/items/1"),
        Arguments.of(
            "hidden field after another", List.of(form), "a=1&_method=delete", "/app/items/1"),
        Arguments.of(
            "X-HTTP-Method-Override",
            List.of("X-HTTP-Method-Override: DELETE"),
            "",
            "/app/items/1"),
        Arguments.of("X-HTTP-Method", List.of("X-HTTP-Method: DELETE"), "", "/app/items/1"),
        Arguments.of("X-Method-Override", List.of("X-Method-Override: DELETE"), "", "/app/items/1"),
        Arguments.of("query parameter", List.of(), "", "/app/items/1?_method=DELETE"),
        Arguments.of(
            "encoded hidden form field name", List.of(form), "%5Fmethod=DELETE", "/app/items/1"),
        Arguments.of(
            "forwarded prefix and hidden field",
            List.of(form, "X-Forwarded-Prefix: /public"),
            "_method=DELETE",
            "/app/items/1"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("methodOverrides")
  void methodOverridesAreRefusedAndTheDeleteHandlerNeverRuns(
      String name, List<String> headers, String body, String target) throws Exception {
    RawHttp.Response r = send(Policies.DENY, "POST", target, headers, body);
    assertThat(calls(Policies.DENY).count("items DELETE"))
        .as("the DELETE handler ran (status %d, body %s)", r.status(), r.body())
        .isZero();
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(calls(Policies.DENY).count("items POST")).isZero();
  }

  /**
   * Spellings of {@code _method} that Tomcat decodes into the parameter {@code
   * HiddenHttpMethodFilter} reads, but that {@code ServletPaths.methodOverride} (mesh-http) does
   * not see: it looks for the raw text {@code _method=} in the query and reads the parameter only
   * for {@code application/x-www-form-urlencoded} bodies, while Tomcat also decodes query parameter
   * names and parses {@code multipart/form-data} bodies into parameters for a servlet with a
   * multipart configuration (Spring Boot's dispatcher servlet has one).
   */
  static Stream<Arguments> overridesTheFilterMisses() {
    return Stream.of(
        Arguments.of(
            "encoded query parameter name", List.of(), "", "/app/items/1?%5Fmethod=DELETE"),
        Arguments.of(
            "encoded query parameter name after another",
            List.of(),
            "",
            "/app/items/1?a=1&_m%65thod=DELETE"),
        Arguments.of(
            "multipart hidden field",
            List.of("Content-Type: multipart/form-data; boundary=b"),
            "--b\r\nContent-Disposition: form-data; name=\"_method\"\r\n\r\nDELETE\r\n--b--\r\n",
            "/app/items/1"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("overridesTheFilterMisses")
  void encodedAndMultipartMethodOverridesAreRefusedToo(
      String name, List<String> headers, String body, String target) throws Exception {
    methodOverridesAreRefusedAndTheDeleteHandlerNeverRuns(name, headers, body, target);
  }

  /**
   * The filter checks the request as it came from the network: a policy on a forwarded header holds
   * although {@code ForwardedHeaderFilter} consumes (and hides) that header.
   */
  @Test
  void aPolicyOnAForwardedHeaderSeesTheHeader() throws Exception {
    RawHttp.Response r =
        send(Policies.DENY, "GET", "/app/public/x", List.of("X-Forwarded-Host: evil.test"), null);
    assertThat(r.status()).as(r.body()).isEqualTo(403);
    assertThat(calls(Policies.DENY).count("public")).isZero();
  }

  @Test
  void headOnAGetDeniedPathIsDenied() throws Exception {
    assertThat(send(Policies.DENY, "HEAD", "/app/items/secret", List.of(), null).status())
        .isEqualTo(403);
    assertThat(send(Policies.DENY, "GET", "/app/items/secret", List.of(), null).status())
        .isEqualTo(403);
    assertThat(calls(Policies.DENY).count("items GET"))
        .as("Spring runs the GET handler for HEAD")
        .isZero();
    assertThat(send(Policies.DENY, "HEAD", "/app/items/1", List.of(), null).status())
        .isEqualTo(200);
    assertThat(calls(Policies.DENY).count("items GET")).isEqualTo(1);
  }

  /** What ran: counts per controller action, and every handler Spring MVC dispatched to. */
  static class Calls implements HandlerInterceptor {
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final Set<String> handlers = ConcurrentHashMap.newKeySet();

    void record(String name) {
      counts.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
    }

    int count(String name) {
      AtomicInteger n = counts.get(name);
      return n == null ? 0 : n.get();
    }

    Set<String> handlers() {
      return Set.copyOf(handlers);
    }

    void clear() {
      counts.clear();
      handlers.clear();
    }

    @Override
    public boolean preHandle(
        HttpServletRequest request, HttpServletResponse response, Object handler) {
      handlers.add(
          handler instanceof HandlerMethod m
              ? m.getBeanType().getSimpleName()
              : handler.getClass().getSimpleName());
      return true;
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import({
    AdminController.class,
    PublicController.class,
    ItemsController.class,
    RootController.class
  })
  static class AttackedApp implements WebMvcConfigurer {
    private final Calls calls = new Calls();

    @Bean
    Calls calls() {
      return calls;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
      registry.addInterceptor(calls);
    }
  }

  @RestController
  static class AdminController {
    private final Calls calls;

    AdminController(Calls calls) {
      this.calls = calls;
    }

    @RequestMapping({"/admin", "/admin/**"})
    String admin() {
      calls.record("admin");
      return "admin";
    }
  }

  @RestController
  static class PublicController {
    private final Calls calls;

    PublicController(Calls calls) {
      this.calls = calls;
    }

    @RequestMapping({"/public", "/public/**"})
    String publicPages() {
      calls.record("public");
      return "public";
    }
  }

  @RestController
  static class ItemsController {
    private final Calls calls;

    ItemsController(Calls calls) {
      this.calls = calls;
    }

    @GetMapping("/items/{id}")
    String get(@PathVariable String id) {
      calls.record("items GET");
      return "item " + id;
    }

    @DeleteMapping("/items/{id}")
    String delete(@PathVariable String id) {
      calls.record("items DELETE");
      return "deleted " + id;
    }

    @PostMapping("/items/{id}")
    String post(@PathVariable String id) {
      calls.record("items POST");
      return "posted " + id;
    }
  }

  /** Everything else, so that a spelling that misses every other mapping still has a handler. */
  @RestController
  static class RootController {
    private final Calls calls;

    RootController(Calls calls) {
      this.calls = calls;
    }

    @RequestMapping("/**")
    String root() {
      calls.record("root");
      return "root";
    }
  }
}
