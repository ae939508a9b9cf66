package dev.weft.mesh.spring;

import dev.weft.mesh.console.ConsoleResponse;
import dev.weft.mesh.console.MeshConsole;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;

/**
 * {@code /actuator/meshconsole}: the live mesh console ({@code mesh-console}); its page polls
 * {@code /actuator/meshconsole/state}. Read-only. Like every actuator endpoint it is served only
 * when exposed ({@code management.endpoints.web.exposure.include=meshconsole}), on the management
 * port when there is one, behind whatever secures the actuator.
 */
@WebEndpoint(id = "meshconsole")
public class MeshConsoleEndpoint {
  private final MeshConsole console;

  public MeshConsoleEndpoint(MeshConsole console) {
    this.console = console;
  }

  /** The page. */
  @ReadOperation(produces = "text/html;charset=utf-8")
  public WebEndpointResponse<byte[]> page() {
    return response(console.respond("GET", "/"));
  }

  /** The page's data ({@code state}); anything else is not found. */
  @ReadOperation(produces = "application/json")
  public WebEndpointResponse<byte[]> part(@Selector String part) {
    return response(console.respond("GET", "/" + part));
  }

  private static WebEndpointResponse<byte[]> response(ConsoleResponse r) {
    return new WebEndpointResponse<>(r.body(), r.status());
  }
}
