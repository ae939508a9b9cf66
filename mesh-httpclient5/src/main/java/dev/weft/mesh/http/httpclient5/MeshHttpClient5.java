package dev.weft.mesh.http.httpclient5;

import dev.weft.mesh.core.Mesh;
import org.apache.hc.client5.http.impl.ChainElement;
import org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;

/**
 * Installs the mesh on Apache HttpClient 5 builders, classic and async.
 *
 * <pre>{@code
 * CloseableHttpClient client = MeshHttpClient5.install(HttpClients.custom(), mesh).build();
 * }</pre>
 *
 * <p>The mesh's handler goes right before the protocol element, so redirects, caching and
 * compression run around each logical request as before, and each attempt picks its own route and
 * pooled connection. The client's own automatic retries are turned off: the mesh's attempt loop
 * retries, on another endpoint, with the route's policy and budget, and a second loop would retry
 * behind its back. Requests for other hosts therefore are not retried by the client either.
 */
public final class MeshHttpClient5 {
  /** The name the handlers are registered under in the exec chain. */
  public static final String CHAIN_ELEMENT = "weft-mesh";

  private MeshHttpClient5() {}

  /** Adds a {@link MeshExecChainHandler} over {@code mesh} to a classic builder. */
  public static HttpClientBuilder install(HttpClientBuilder builder, Mesh mesh) {
    return install(builder, MeshExecChainHandler.create(mesh));
  }

  /** Adds {@code handler} to a classic builder and turns the builder's own retries off. */
  public static HttpClientBuilder install(HttpClientBuilder builder, MeshExecChainHandler handler) {
    return builder
        .disableAutomaticRetries()
        .addExecInterceptorBefore(ChainElement.PROTOCOL.name(), CHAIN_ELEMENT, handler);
  }

  /** Adds a {@link MeshAsyncExecChainHandler} over {@code mesh} to an async builder. */
  public static HttpAsyncClientBuilder install(HttpAsyncClientBuilder builder, Mesh mesh) {
    return install(builder, MeshAsyncExecChainHandler.create(mesh));
  }

  /** Adds {@code handler} to an async builder and turns the builder's own retries off. */
  public static HttpAsyncClientBuilder install(
      HttpAsyncClientBuilder builder, MeshAsyncExecChainHandler handler) {
    return builder
        .disableAutomaticRetries()
        .addExecInterceptorBefore(ChainElement.PROTOCOL.name(), CHAIN_ELEMENT, handler);
  }
}
