package dev.weft.mesh.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/**
 * Serves a {@link MeshConsole} on the JDK's {@code com.sun.net.httpserver} server, below the
 * context it is mounted on. See {@link MeshConsole#httpHandler()}.
 */
final class ConsoleHttpHandler implements HttpHandler {
  private final MeshConsole console;

  ConsoleHttpHandler(MeshConsole console) {
    this.console = console;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String context = exchange.getHttpContext().getPath();
      String path = exchange.getRequestURI().getRawPath();
      String below = path.startsWith(context) ? path.substring(context.length()) : path;
      if (!below.isEmpty() && !below.startsWith("/")) {
        below = "/" + below;
      }
      if (context.endsWith("/") && below.isEmpty()) {
        below = "/";
      }
      ConsoleResponse r = console.respond(exchange.getRequestMethod(), below);
      exchange.getResponseHeaders().set("Content-Type", r.contentType());
      for (Map.Entry<String, String> h : r.headers().entrySet()) {
        exchange.getResponseHeaders().set(h.getKey(), h.getValue());
      }
      boolean head = exchange.getRequestMethod().equals("HEAD");
      exchange.sendResponseHeaders(r.status(), head || r.body().length == 0 ? -1 : r.body().length);
      if (!head && r.body().length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(r.body());
        }
      }
    }
  }
}
