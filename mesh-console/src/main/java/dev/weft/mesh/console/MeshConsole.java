package dev.weft.mesh.console;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpHandler;
import dev.weft.mesh.core.Mesh;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A live, read-only web console of one {@link Mesh}: services and routes with their split and
 * golden metrics per destination (calls per second, success rate with and without retries, p50 and
 * p99), clusters and endpoints with health, ejection, active requests and peak-EWMA latency, canary
 * guards, the configuration's version, source status and recent updates (refusals with their
 * reasons), and recent authorization denials. The page refreshes itself about once a second from a
 * JSON document served next to it.
 *
 * <pre>{@code
 * MeshConsole console = MeshConsole.builder(mesh).denials(recentDenials).build();
 * HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 9901), 0);
 * server.createContext("/mesh-console", console.httpHandler());
 * }</pre>
 *
 * <p>Serve it with {@link #httpHandler()} (the JDK's server), {@link ConsoleServlet} (Jakarta
 * Servlet) or, in Spring Boot, the starter's {@code meshconsole} actuator endpoint. The console
 * serves nothing by itself: it is on only where an application mounts it, and it should be mounted
 * where only operators reach it (a management port, behind authentication).
 *
 * <p>It never shows key material: the mesh's description holds none (TLS modes only), and every
 * value passes through a redaction that replaces secrets by key name or by shape (PEM, JWT, bearer
 * credentials); denials are shown without query strings or headers.
 *
 * <p>The console observes calls through a {@link dev.weft.mesh.core.spi.CallObserver} it adds to
 * the mesh when built and removes on {@link #close()}; recording costs a few atomic increments per
 * call and attempt, with no lock. Thread-safe.
 */
public final class MeshConsole implements AutoCloseable {
  /** The default window of the golden metrics: 30 s. */
  public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(30);

  private final Mesh mesh;
  private final GoldenMetrics metrics;
  private final CanaryStatusProvider canaries;
  private final DenialSource denials;
  private final ConsolePage page;

  private MeshConsole(Builder b) {
    this.mesh = b.mesh;
    this.metrics = new GoldenMetrics(mesh.ticker(), (int) b.window.toSeconds());
    this.canaries = b.canaries;
    this.denials = b.denials;
    this.page = ConsolePage.load();
    mesh.addCallObserver(metrics);
  }

  /** A builder of a console of {@code mesh}. */
  public static Builder builder(Mesh mesh) {
    return new Builder(mesh);
  }

  /** Everything the page shows, as plain data (maps, lists, strings, numbers, booleans, nulls). */
  public Map<String, Object> state() {
    return ConsoleState.of(mesh, metrics, canaries, denials);
  }

  /** {@link #state()} as JSON: what the page polls. */
  public String stateJson() {
    return Json.write(state());
  }

  /** The page: one HTML document with its script and style inlined. */
  public byte[] page() {
    return page.html.clone();
  }

  /** A handler for the JDK's {@code com.sun.net.httpserver} server; mount it on any context. */
  public HttpHandler httpHandler() {
    return new ConsoleHttpHandler(this);
  }

  /**
   * Answers a request for {@code path} below the console's mount point: {@code ""} or {@code /} is
   * the page, {@code /state} the JSON it polls; only {@code GET} and {@code HEAD} are allowed. The
   * JDK handler and the servlet are built on this; other hosts can be too.
   */
  public ConsoleResponse respond(String method, String path) {
    requireNonNull(method, "method");
    String p = path == null ? "" : path;
    boolean head = method.equals("HEAD");
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Cache-Control", "no-store");
    headers.put("X-Content-Type-Options", "nosniff");
    headers.put("Referrer-Policy", "no-referrer");
    headers.put("X-Frame-Options", "DENY");
    if (!head && !method.equals("GET")) {
      headers.put("Allow", "GET, HEAD");
      return text(405, "the mesh console is read-only: GET or HEAD only\n", headers);
    }
    byte[] body;
    String type;
    switch (p) {
      case "", "/", "/index.html" -> {
        body = page.html;
        type = "text/html; charset=utf-8";
        headers.put("Content-Security-Policy", page.contentSecurityPolicy);
      }
      case "/state", "/state.json" -> {
        body = stateJson().getBytes(StandardCharsets.UTF_8);
        type = "application/json";
      }
      default -> {
        return text(
            404, "no such page of the mesh console: the page is / and its data /state\n", headers);
      }
    }
    return new ConsoleResponse(200, type, head ? new byte[0] : body, headers);
  }

  private static ConsoleResponse text(int status, String text, Map<String, String> headers) {
    return new ConsoleResponse(
        status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8), headers);
  }

  /** Stops observing the mesh's calls. Idempotent; the mesh stays open. */
  @Override
  public void close() {
    mesh.removeCallObserver(metrics);
  }

  /** Builds a {@link MeshConsole}. */
  public static final class Builder {
    private final Mesh mesh;
    private Duration window = DEFAULT_WINDOW;
    private CanaryStatusProvider canaries;
    private DenialSource denials;

    private Builder(Mesh mesh) {
      this.mesh = requireNonNull(mesh, "mesh");
      this.canaries = new MeshCanaries(mesh);
    }

    /**
     * The sliding window of the golden metrics, in whole seconds from 2 s to 10 min; default {@link
     * #DEFAULT_WINDOW}.
     */
    public Builder window(Duration window) {
      requireNonNull(window, "window");
      if (window.toMillis() % 1000 != 0 || window.toSeconds() < 2 || window.toSeconds() > 600) {
        throw new IllegalArgumentException(
            "window must be whole seconds from 2 s to 10 min, was " + window);
      }
      this.window = window;
      return this;
    }

    /**
     * Where the canary section reads the guards' state; default: the mesh's own canary guards
     * ({@link Mesh#canaryGuards()}). Give another provider to show guards kept elsewhere, or {@link
     * CanaryStatusProvider#NONE} to show none.
     */
    public Builder canaries(CanaryStatusProvider canaries) {
      this.canaries = requireNonNull(canaries, "canaries");
      return this;
    }

    /**
     * Where the denials section reads recent authorization denials, typically a {@link
     * RecentDenials} added to the enforcers' audit sink; without one the section says that nothing
     * is audited to the console.
     */
    public Builder denials(DenialSource denials) {
      this.denials = requireNonNull(denials, "denials");
      return this;
    }

    /** Builds the console and starts observing the mesh's calls. */
    public MeshConsole build() {
      return new MeshConsole(this);
    }
  }
}
