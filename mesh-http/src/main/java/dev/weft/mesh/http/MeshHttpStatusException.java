package dev.weft.mesh.http;

import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;

/**
 * An annotated client's call got a response outside 2xx. Carries what the server said so that
 * callers can act on it.
 */
public final class MeshHttpStatusException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final transient HttpHeaders headers;
  private final byte[] body;

  MeshHttpStatusException(String call, int status, HttpHeaders headers, byte[] body) {
    super(call + " answered HTTP " + status + describe(body));
    this.status = status;
    this.headers = headers;
    this.body = body;
  }

  private static String describe(byte[] body) {
    if (body.length == 0) {
      return "";
    }
    String text = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8);
    return ": " + text + (body.length > 200 ? "..." : "");
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** The response headers. */
  public HttpHeaders headers() {
    return headers;
  }

  /** The response body. */
  public byte[] body() {
    return body.clone();
  }

  /** The response body as UTF-8 text. */
  public String bodyAsString() {
    return new String(body, StandardCharsets.UTF_8);
  }
}
