package dev.weft.mesh.console;

import static java.util.Objects.requireNonNull;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;

/**
 * Serves a {@link MeshConsole} in a Jakarta Servlet container. Map it on a path with a wildcard,
 * such as {@code /mesh-console/*}; the page is at {@code /mesh-console/} and its data at {@code
 * /mesh-console/state}. Requires {@code jakarta.servlet-api} 6 (an optional dependency of this
 * module).
 *
 * <pre>{@code
 * ServletRegistration.Dynamic r = context.addServlet("meshConsole", new ConsoleServlet(console));
 * r.addMapping("/mesh-console/*");
 * }</pre>
 */
public class ConsoleServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final transient MeshConsole console;

  /** A servlet that serves {@code console}. */
  public ConsoleServlet(MeshConsole console) {
    this.console = requireNonNull(console, "console");
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String below = req.getPathInfo();
    if (below == null) {
      // Mapped as /mesh-console/*, a request for /mesh-console itself: the page's own script
      // finds /state next to it either way.
      below = "";
    }
    ConsoleResponse r = console.respond(req.getMethod(), below);
    resp.setStatus(r.status());
    resp.setContentType(r.contentType());
    for (Map.Entry<String, String> h : r.headers().entrySet()) {
      resp.setHeader(h.getKey(), h.getValue());
    }
    if (r.body().length > 0 && !req.getMethod().equals("HEAD")) {
      resp.setContentLength(r.body().length);
      resp.getOutputStream().write(r.body());
    }
  }
}
