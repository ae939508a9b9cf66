package dev.weft.mesh.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import com.sun.net.httpserver.HttpServer;
import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.security.AuthorizationPolicy;
import dev.weft.mesh.security.AuthorizationEnforcer;
import dev.weft.mesh.security.AuthorizationRequest;
import dev.weft.mesh.security.Authorizer;
import dev.weft.mesh.security.RequestHeaders;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The console in a real browser: Debian's Chromium, driven by Playwright, against a mesh that sends
 * real HTTP traffic to backends on loopback. Playwright never downloads a browser here (see the
 * module's surefire configuration); without {@value #CHROMIUM} the test is skipped, except in CI
 * ({@code CI=true}), where it fails.
 */
class ConsoleBrowserTest {
  static final String CHROMIUM = "/usr/bin/chromium";

  /** The page polls every second; a change must be on screen within 2 s. */
  private static final double LIVE_CHANGE_MILLIS = 2000;

  private ConsoleFixture fixture;
  private MeshConsole console;
  private SimulatedGuard guard;
  private HttpServer server;
  private Playwright playwright;
  private Browser browser;
  private Page page;
  private final List<String> consoleErrors = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    if (!Files.isExecutable(Path.of(CHROMIUM))) {
      String message =
          CHROMIUM
              + " is missing: install Debian's Chromium (apt-get update && apt-get install -y"
              + " chromium) to run the console's browser test";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError(message + " (CI=true, so this test must run)");
      }
      Assumptions.abort(message);
    }
    fixture = new ConsoleFixture();
    fixture.v2.failOneIn(5);
    guard = new SimulatedGuard();
    RecentDenials denials = RecentDenials.create("reviews", 20);
    AuthorizationEnforcer enforcer =
        AuthorizationEnforcer.builder()
            .authorizer(
                Authorizer.of(
                    List.of(
                        AuthorizationPolicy.of(
                            "deny-admin",
                            AuthorizationPolicy.Action.DENY,
                            new AuthorizationPolicy.Rule(
                                List.of(),
                                List.of(AuthorizationPolicy.Operation.paths("/admin/*")),
                                List.of())))))
            .auditSink(denials)
            .build();
    enforcer.enforce(
        new AuthorizationRequest(
            Optional.empty(), "/admin/flush?token=abc", "POST", RequestHeaders.of(Map.of())));
    console = MeshConsole.builder(fixture.mesh).canaries(guard).denials(denials).build();

    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/mesh-console", console.httpHandler());
    server.start();
    fixture.startTraffic(100);

    Map<String, String> env = new HashMap<>();
    env.put("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
    playwright = Playwright.create(new Playwright.CreateOptions().setEnv(env));
    browser =
        playwright
            .chromium()
            .launch(
                new BrowserType.LaunchOptions()
                    .setExecutablePath(Paths.get(CHROMIUM))
                    .setHeadless(true)
                    .setArgs(
                        List.of(
                            "--headless",
                            "--no-sandbox",
                            "--disable-gpu",
                            "--disable-quic",
                            "--no-first-run",
                            "--disable-background-networking",
                            "--disable-component-update",
                            "--disable-sync")));
    page = browser.newPage(new Browser.NewPageOptions().setViewportSize(1360, 900));
    page.onConsoleMessage(
        m -> {
          if (m.type().equals("error")) {
            consoleErrors.add(m.text());
          }
        });
    page.onPageError(consoleErrors::add);
  }

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.close();
    }
    if (playwright != null) {
      playwright.close();
    }
    if (server != null) {
      server.stop(0);
    }
    if (console != null) {
      console.close();
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/mesh-console";
  }

  private Locator destinationCell(String target, String column) {
    return page.locator(
        "tr.dest[data-service='reviews'][data-route='default'][data-target='"
            + target
            + "'] td[data-col='"
            + column
            + "']");
  }

  private static LocatorAssertions.HasTextOptions within(double millis) {
    return new LocatorAssertions.HasTextOptions().setTimeout(millis);
  }

  @Test
  void thePageShowsTheMeshLiveAndFollowsChanges() throws Exception {
    page.navigate(url());

    // It loads, and what it shows is the configuration in force.
    assertThat(page).hasTitle("Weft mesh console");
    assertThat(page.locator("#config-version")).hasText("1", within(10_000));
    assertThat(page.locator("#mesh-name")).hasText("bookinfo");
    assertThat(destinationCell("reviews/v1", "weight")).hasText("90");
    assertThat(destinationCell("reviews/v1", "percent")).hasText("90.0%");
    assertThat(destinationCell("reviews/v2", "weight")).hasText("10");
    assertThat(destinationCell("reviews/v2", "percent")).hasText("10.0%");

    Locator endpoints = page.locator("tr.endpoint[data-cluster='reviews']");
    assertThat(endpoints).hasCount(3);
    List<String> addresses = new ArrayList<>();
    for (Locator row : endpoints.all()) {
      addresses.add(row.getAttribute("data-address"));
    }
    assertThat(addresses)
        .containsExactly(
            "127.0.0.1:" + fixture.v1a.port(),
            "127.0.0.1:" + fixture.v1b.port(),
            "127.0.0.1:" + fixture.v2.port());
    Locator v2Endpoint =
        page.locator(
            "tr.endpoint[data-cluster='reviews'][data-address='127.0.0.1:"
                + fixture.v2.port()
                + "']");
    assertThat(v2Endpoint.locator("td[data-col='health']")).hasText("unknown");
    assertThat(v2Endpoint.locator("td[data-col='ejected']")).hasText("no");
    assertThat(page.locator("tr.endpoint[data-cluster='ratings']")).hasCount(1);

    // Golden metrics arrive with the traffic: v2 fails one attempt in five, its retries hide it.
    assertThat(destinationCell("reviews/v2", "success")).hasText("100%", within(15_000));
    assertThat(destinationCell("reviews/v2", "attemptSuccess"))
        .not()
        .hasText("\u2013", new LocatorAssertions.HasTextOptions().setTimeout(15_000));
    assertThat(destinationCell("reviews/v1", "p99"))
        .hasText(java.util.regex.Pattern.compile("ms$"), within(15_000));
    assertThat(page.locator("tr.denial td[data-col='path']")).hasText("/admin/flush");
    assertThat(page.locator("#live")).hasText("live");

    // A live change of weights is on the page within 2 s.
    long t0 = System.nanoTime();
    fixture.source.update(fixture.config("2", 50, 50));
    assertThat(destinationCell("reviews/v2", "percent"))
        .hasText("50.0%", within(LIVE_CHANGE_MILLIS));
    assertThat(page.locator("#config-version")).hasText("2", within(LIVE_CHANGE_MILLIS));
    long liveChangeMillis = (System.nanoTime() - t0) / 1_000_000;
    System.out.println("weights change visible after " + liveChangeMillis + " ms");
    assertThat(liveChangeMillis).isLessThanOrEqualTo((long) LIVE_CHANGE_MILLIS);

    // A refused update is listed with its reason; the version in force stays.
    assertThatThrownBy(
            () -> fixture.source.update(fixture.config("3", 0, 100, LoadBalancing.of("fastest"))))
        .isInstanceOf(InvalidConfigException.class);
    Locator refused = page.locator("tr.update[data-accepted='false']").first();
    assertThat(refused.locator("td[data-col='version']")).hasText("3", within(LIVE_CHANGE_MILLIS));
    assertThat(refused.locator("td[data-col='detail']"))
        .containsText(
            "fastest", new LocatorAssertions.ContainsTextOptions().setTimeout(LIVE_CHANGE_MILLIS));
    assertThat(page.locator("#config-version")).hasText("2");

    // A canary rollback: the guard (simulated through the provider) takes v2's traffic away.
    Locator canary = page.locator("tr.canary[data-service='reviews'][data-route='default']");
    assertThat(canary.locator("td[data-col='state']")).hasText("observing");
    fixture.v2.failOneIn(2);
    guard.rollBack("errors 50.0% vs 0.0% over 212 calls (max increase 5.0%)");
    fixture.source.update(fixture.config("2-canary-rolled-back", 100, 0));
    assertThat(canary.locator("td[data-col='state']"))
        .hasText("rolled back", within(LIVE_CHANGE_MILLIS));
    assertThat(canary.locator("td[data-col='canaryPercent']")).hasText("0.0%");
    assertThat(canary.locator("td[data-col='verdict']"))
        .containsText(
            "rolled-back: errors 50.0%",
            new LocatorAssertions.ContainsTextOptions().setTimeout(LIVE_CHANGE_MILLIS));
    assertThat(destinationCell("reviews/v2", "percent"))
        .hasText("0.0%", within(LIVE_CHANGE_MILLIS));

    // Read-only: anything but GET and HEAD is refused.
    int status = page.request().post(url() + "/state").status();
    assertThat(status).isEqualTo(405);

    assertThat(
            page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Canary guards")))
        .isVisible();
    assertThat(consoleErrors).isEmpty();

    String screenshot = System.getProperty("weft.console.screenshot");
    if (screenshot != null) {
      Path file = Path.of(screenshot);
      Files.createDirectories(file.getParent());
      page.screenshot(new Page.ScreenshotOptions().setPath(file).setFullPage(true));
    }
  }
}
