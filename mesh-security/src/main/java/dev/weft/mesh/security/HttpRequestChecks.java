package dev.weft.mesh.security;

/** Checks of an HTTP request's method before authorization reads it. */
final class HttpRequestChecks {
  private HttpRequestChecks() {}

  /**
   * What is wrong with {@code method} for authorization, or null: it must be an RFC 9110 token in
   * upper case (servers disagree about {@code get} versus {@code GET}, so a policy on one must not
   * be passed by the other).
   */
  static String methodProblem(String method) {
    if (method == null || method.isEmpty()) {
      return "the request has no method";
    }
    if (method.length() > 64) {
      return "the method is longer than 64 characters";
    }
    for (int i = 0; i < method.length(); i++) {
      char c = method.charAt(i);
      if (c >= 'a' && c <= 'z') {
        return "the method " + PathNormalizer.printable(method) + " is not in upper case";
      }
      if (!tokenChar(c)) {
        return "the method " + PathNormalizer.printable(method) + " is not an HTTP token";
      }
    }
    return null;
  }

  private static boolean tokenChar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }
}
