package dev.weft.mesh.http.server;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;

/** What a servlet container dispatches a request to, read the way authorization must check it. */
final class ServletPaths {
  /** Headers that ask a framework to treat a request as another method. */
  static final List<String> METHOD_OVERRIDE_HEADERS =
      List.of("x-http-method-override", "x-http-method", "x-method-override");

  private ServletPaths() {}

  /**
   * One dispatch.
   *
   * @param rawPathInApplication the path inside the application as it arrived, still encoded,
   *     without its {@code ;} path parameters
   * @param routedPath the container's own decoded reading (servlet path plus path info)
   * @param problem why the request cannot be checked, or null
   */
  record Dispatch(String rawPathInApplication, String routedPath, String problem) {}

  static Dispatch of(HttpServletRequest http) {
    boolean include = http.getDispatcherType() == DispatcherType.INCLUDE;
    String uri =
        include ? attribute(http, RequestDispatcher.INCLUDE_REQUEST_URI) : http.getRequestURI();
    String context =
        include ? attribute(http, RequestDispatcher.INCLUDE_CONTEXT_PATH) : http.getContextPath();
    String servletPath =
        include ? attribute(http, RequestDispatcher.INCLUDE_SERVLET_PATH) : http.getServletPath();
    String pathInfo =
        include ? attribute(http, RequestDispatcher.INCLUDE_PATH_INFO) : http.getPathInfo();
    if (uri == null) {
      return new Dispatch("", "", "the container reports no request URI");
    }
    String ctx = context == null ? "" : context;
    String inApplication;
    if (ctx.isEmpty()) {
      inApplication = uri;
    } else if (uri.startsWith(ctx)
        && (uri.length() == ctx.length()
            || uri.charAt(ctx.length()) == '/'
            || uri.charAt(ctx.length()) == ';')) {
      inApplication = uri.substring(ctx.length());
    } else {
      // the context path was spelled differently (for example percent-encoded): no single reading
      return new Dispatch(
          uri,
          null,
          "the request URI does not start with the context path as the container reports it");
    }
    String routed = (servletPath == null ? "" : servletPath) + (pathInfo == null ? "" : pathInfo);
    String raw = withoutPathParameters(inApplication);
    return new Dispatch(raw.isEmpty() ? "/" : raw, routed.isEmpty() ? "/" : routed, null);
  }

  /** {@code path} without the {@code ;parameters} of its segments, as containers map it. */
  static String withoutPathParameters(String path) {
    int semi = path.indexOf(';');
    if (semi < 0) {
      return path;
    }
    StringBuilder out = new StringBuilder(path.length());
    boolean inParameters = false;
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == ';') {
        inParameters = true;
      } else if (c == '/') {
        inParameters = false;
        out.append(c);
      } else if (!inParameters) {
        out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * Why the request's method would be overridden, or null: a method-override header, or a {@code
   * _method} parameter on a POST (what Spring's {@code HiddenHttpMethodFilter} honours; reading it
   * parses a form body into parameters, as the framework would anyway, and leaves other bodies
   * alone).
   */
  static String methodOverride(HttpServletRequest http) {
    for (String h : METHOD_OVERRIDE_HEADERS) {
      if (http.getHeader(h) != null) {
        return "method overrides are refused (the request has a " + h + " header)";
      }
    }
    // Read as the framework reads it: the decoded parameter, from the query or any body the
    // container turns into parameters (url-encoded forms, and multipart where the servlet takes
    // it).
    if ("POST".equals(http.getMethod()) && http.getParameter("_method") != null) {
      return "method overrides are refused (the request has a _method parameter)";
    }
    return null;
  }

  private static String attribute(HttpServletRequest http, String name) {
    return http.getAttribute(name) instanceof String s ? s : null;
  }
}
