package dev.weft.mesh.console;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * One answer of the console, for a host that is neither the JDK server nor a servlet container (an
 * actuator endpoint, a framework's route): the status, the content type, the body and the headers
 * to send. See {@link MeshConsole#respond}.
 *
 * @param status the HTTP status
 * @param contentType the body's media type, with its charset
 * @param body the body (empty for {@code HEAD} and errors without text)
 * @param headers further headers to send (caching, content sniffing, framing, CSP)
 */
public record ConsoleResponse(
    int status, String contentType, byte[] body, Map<String, String> headers) {
  public ConsoleResponse {
    requireNonNull(contentType, "contentType");
    requireNonNull(body, "body");
    headers = Map.copyOf(headers);
  }
}
