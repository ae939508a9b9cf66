package dev.weft.mesh.http.adapter;

import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.TlsSettings;
import dev.weft.mesh.core.spi.AttemptContext;
import java.net.URI;

/** The physical URL of one attempt: the logical URL's path and query on the chosen endpoint. */
public final class EndpointUris {
  private EndpointUris() {}

  /**
   * The URL of {@code logical} on the attempt's endpoint: {@code https} when the endpoint's cluster
   * uses TLS, {@code http} otherwise; the path and query are kept as they were encoded.
   *
   * @throws IllegalArgumentException if the endpoint's address does not make a URL
   */
  public static URI physical(URI logical, AttemptContext context) {
    return URI.create(physicalString(logical, context));
  }

  /** {@link #physical} as a string, for clients that parse URLs themselves. */
  public static String physicalString(URI logical, AttemptContext context) {
    Endpoint endpoint = context.endpoint();
    boolean tls = context.cluster().tls().mode() != TlsSettings.Mode.DISABLED;
    String host = endpoint.host();
    StringBuilder b = new StringBuilder(64).append(tls ? "https://" : "http://");
    if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
      b.append('[').append(host).append(']');
    } else {
      b.append(host);
    }
    b.append(':').append(endpoint.port());
    String path = logical.getRawPath();
    b.append(path == null || path.isEmpty() ? "/" : path);
    String query = logical.getRawQuery();
    if (query != null) {
      b.append('?').append(query);
    }
    return b.toString();
  }
}
