package dev.weft.mesh.http.server;

import dev.weft.mesh.security.AuthorizationEnforcer;
import dev.weft.mesh.security.RequestPrincipal;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.security.Principal;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request as the application sees it after request authentication: the token's header and the
 * claim headers removed, the verified claims set, and the end user as its user principal. It keeps
 * the request as received, so that a later dispatch through the filter checks the original token.
 */
final class AuthenticatedRequest extends HttpServletRequestWrapper {
  private final HttpServletRequest asReceived;
  private final Map<String, List<String>> headers;
  private final RequestPrincipal principal;

  AuthenticatedRequest(
      HttpServletRequest request,
      HttpServletRequest asReceived,
      AuthorizationEnforcer.Enforcement checked) {
    super(request);
    this.asReceived = asReceived;
    Map<String, List<String>> original = new LinkedHashMap<>();
    for (String name : Collections.list(asReceived.getHeaderNames())) {
      original.put(name, Collections.list(asReceived.getHeaders(name)));
    }
    this.headers = checked.editedHeaders(original);
    this.principal = checked.requestPrincipal().orElse(null);
  }

  /**
   * The request as it came from the network: beneath this filter's own wrapper when a forward or
   * include passes the filter again, else {@code request} itself.
   */
  static HttpServletRequest asReceived(HttpServletRequest request) {
    ServletRequest r = request;
    while (r instanceof ServletRequestWrapper w) {
      if (w instanceof AuthenticatedRequest ours) {
        return ours.asReceived;
      }
      r = w.getRequest();
    }
    return request;
  }

  @Override
  public String getHeader(String name) {
    List<String> v = headers.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  @Override
  public Enumeration<String> getHeaders(String name) {
    List<String> v = headers.get(name);
    return Collections.enumeration(v == null ? List.of() : v);
  }

  @Override
  public Enumeration<String> getHeaderNames() {
    return Collections.enumeration(headers.keySet());
  }

  @Override
  public int getIntHeader(String name) {
    String v = getHeader(name);
    return v == null ? -1 : Integer.parseInt(v);
  }

  @Override
  public long getDateHeader(String name) {
    return getHeader(name) == null ? -1 : super.getDateHeader(name);
  }

  @Override
  public Principal getUserPrincipal() {
    return principal != null ? principal : super.getUserPrincipal();
  }
}
