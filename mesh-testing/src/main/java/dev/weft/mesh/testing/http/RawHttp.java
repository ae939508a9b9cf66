package dev.weft.mesh.testing.http;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * An HTTP/1.1 client that sends a request exactly as written, byte for byte: no normalization of
 * the method, the target or the headers, as an attacker would send it (the JDK's clients refuse or
 * rewrite most of what servers must be tested against). One request per connection, to 127.0.0.1
 * only.
 */
public final class RawHttp {
  private RawHttp() {}

  /** A response: its status code and body (read to the end of the connection). */
  public record Response(int status, String head, String body) {}

  /**
   * Sends {@code method target HTTP/1.1} with a {@code Host} header, {@code Connection: close} and
   * {@code headerLines} (each {@code Name: value}, sent as given), and reads the response.
   *
   * @param body a request body, or null; sent with its {@code Content-Length}
   */
  public static Response send(
      int port, String method, String target, List<String> headerLines, String body)
      throws IOException {
    requireNonNull(method, "method");
    requireNonNull(target, "target");
    StringBuilder request = new StringBuilder();
    request.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    request.append("Host: 127.0.0.1:").append(port).append("\r\n");
    request.append("Connection: close\r\n");
    for (String h : headerLines) {
      request.append(h).append("\r\n");
    }
    byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    if (body != null) {
      request.append("Content-Length: ").append(content.length).append("\r\n");
    }
    request.append("\r\n");
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(content);
      out.flush();
      return read(socket.getInputStream(), "HEAD".equals(method));
    }
  }

  private static Response read(InputStream in, boolean head) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    for (int n; (n = in.read(buf)) >= 0; ) {
      all.write(buf, 0, n);
    }
    String text = all.toString(StandardCharsets.ISO_8859_1);
    int split = text.indexOf("\r\n\r\n");
    String headPart = split < 0 ? text : text.substring(0, split);
    String bodyPart = split < 0 || head ? "" : text.substring(split + 4);
    String[] statusLine = headPart.split("\r\n", 2)[0].split(" ", 3);
    if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/")) {
      throw new IOException("not an HTTP response: " + headPart);
    }
    return new Response(Integer.parseInt(statusLine[1]), headPart, bodyPart);
  }
}
