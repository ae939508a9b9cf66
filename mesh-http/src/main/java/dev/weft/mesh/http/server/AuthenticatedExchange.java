package dev.weft.mesh.http.server;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import com.sun.net.httpserver.HttpsExchange;
import dev.weft.mesh.security.AuthorizationEnforcer;
import dev.weft.mesh.security.RequestPrincipal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * An exchange as the handler sees it after request authentication: request headers with the token's
 * header and the claim headers removed and the verified claims set, and the end user. Everything
 * else is the exchange as received. An {@link HttpsExchange} whether or not the original is, with
 * no TLS session for a plain one, so the caller's identity reads the same.
 */
final class AuthenticatedExchange extends HttpsExchange {
  private final HttpExchange exchange;
  private final Headers requestHeaders;
  private final RequestPrincipal principal;

  AuthenticatedExchange(HttpExchange exchange, AuthorizationEnforcer.Enforcement checked) {
    this.exchange = exchange;
    Headers edited = new Headers();
    // one put per name: Java 17's Headers.putAll does not normalize names as put does
    checked.editedHeaders(exchange.getRequestHeaders()).forEach(edited::put);
    this.requestHeaders = edited;
    this.principal = checked.requestPrincipal().orElse(null);
  }

  Optional<RequestPrincipal> requestPrincipal() {
    return Optional.ofNullable(principal);
  }

  @Override
  public SSLSession getSSLSession() {
    return exchange instanceof HttpsExchange https ? https.getSSLSession() : null;
  }

  @Override
  public Headers getRequestHeaders() {
    return requestHeaders;
  }

  @Override
  public Headers getResponseHeaders() {
    return exchange.getResponseHeaders();
  }

  @Override
  public URI getRequestURI() {
    return exchange.getRequestURI();
  }

  @Override
  public String getRequestMethod() {
    return exchange.getRequestMethod();
  }

  @Override
  public HttpContext getHttpContext() {
    return exchange.getHttpContext();
  }

  @Override
  public void close() {
    exchange.close();
  }

  @Override
  public InputStream getRequestBody() {
    return exchange.getRequestBody();
  }

  @Override
  public OutputStream getResponseBody() {
    return exchange.getResponseBody();
  }

  @Override
  public void sendResponseHeaders(int rCode, long responseLength) throws IOException {
    exchange.sendResponseHeaders(rCode, responseLength);
  }

  @Override
  public InetSocketAddress getRemoteAddress() {
    return exchange.getRemoteAddress();
  }

  @Override
  public int getResponseCode() {
    return exchange.getResponseCode();
  }

  @Override
  public InetSocketAddress getLocalAddress() {
    return exchange.getLocalAddress();
  }

  @Override
  public String getProtocol() {
    return exchange.getProtocol();
  }

  @Override
  public Object getAttribute(String name) {
    return exchange.getAttribute(name);
  }

  @Override
  public void setAttribute(String name, Object value) {
    exchange.setAttribute(name, value);
  }

  @Override
  public void setStreams(InputStream i, OutputStream o) {
    exchange.setStreams(i, o);
  }

  @Override
  public HttpPrincipal getPrincipal() {
    return principal == null
        ? exchange.getPrincipal()
        : new HttpPrincipal(principal.subject(), principal.issuer());
  }
}
