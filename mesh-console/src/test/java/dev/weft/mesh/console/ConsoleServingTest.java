package dev.weft.mesh.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console served by the JDK's server and by a servlet container, over real HTTP. */
class ConsoleServingTest {
  private final HttpClient client = HttpClient.newHttpClient();
  private ConsoleFixture fixture;
  private MeshConsole console;

  @BeforeEach
  void start() {
    fixture = new ConsoleFixture();
    console = MeshConsole.builder(fixture.mesh).build();
  }

  @AfterEach
  void stop() {
    console.close();
    fixture.close();
  }

  private HttpResponse<String> send(String method, String url) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(url))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** What every host must answer the same way, below {@code base}. */
  private void servesTheConsoleBelow(String base) throws Exception {
    for (String page : new String[] {base, base + "/", base + "/index.html"}) {
      HttpResponse<String> r = send("GET", page);
      assertThat(r.statusCode()).as(page).isEqualTo(200);
      assertThat(r.headers().firstValue("content-type").map(v -> v.replace(" ", "")))
          .hasValue("text/html;charset=utf-8");
      assertThat(r.headers().firstValue("cache-control")).hasValue("no-store");
      assertThat(r.headers().firstValue("x-content-type-options")).hasValue("nosniff");
      assertThat(r.headers().firstValue("content-security-policy").orElseThrow())
          .contains("default-src 'none'")
          .contains("script-src 'sha256-")
          .contains("connect-src 'self'")
          .doesNotContain("unsafe-inline");
      assertThat(r.body()).contains("<title>Weft mesh console</title>").doesNotContain("@CONSOLE_");
    }

    HttpResponse<String> state = send("GET", base + "/state");
    assertThat(state.statusCode()).isEqualTo(200);
    assertThat(state.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(state.body())
        .startsWith("{\"generatedAt\":")
        .contains("\"version\":\"1\"")
        .contains("\"target\":\"reviews/v2\"");

    assertThat(send("HEAD", base + "/state").body()).isEmpty();
    HttpResponse<String> post = send("POST", base + "/state");
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");
    assertThat(send("DELETE", base + "/").statusCode()).isEqualTo(405);
    assertThat(send("GET", base + "/../etc/passwd").statusCode()).isIn(400, 404);
    assertThat(send("GET", base + "/state/x").statusCode()).isEqualTo(404);
  }

  @Test
  void theJdkServer() throws Exception {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/mesh-console", console.httpHandler());
    server.start();
    try {
      servesTheConsoleBelow("http://127.0.0.1:" + server.getAddress().getPort() + "/mesh-console");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aServletContainer(@TempDir Path dir) throws Exception {
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(dir.toString());
    Connector connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("/app", null);
    Tomcat.addServlet(context, "meshConsole", new ConsoleServlet(console));
    context.addServletMappingDecoded("/mesh-console/*", "meshConsole");
    tomcat.start();
    try {
      servesTheConsoleBelow("http://127.0.0.1:" + connector.getLocalPort() + "/app/mesh-console");
    } finally {
      tomcat.stop();
      tomcat.destroy();
    }
  }
}
