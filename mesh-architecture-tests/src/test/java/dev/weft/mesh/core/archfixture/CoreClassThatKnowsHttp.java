package dev.weft.mesh.core.archfixture;

import java.net.http.HttpClient;

/** A deliberate violation: a class in the core's package space that uses the JDK HTTP client. */
public final class CoreClassThatKnowsHttp {
  public HttpClient client() {
    return HttpClient.newHttpClient();
  }
}
