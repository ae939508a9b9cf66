package dev.weft.mesh.http.httpclient5;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.core.spi.AttemptContext;
import dev.weft.mesh.http.adapter.BlockingMeshCall;
import dev.weft.mesh.http.adapter.EndpointUris;
import dev.weft.mesh.http.adapter.LogicalHttpRequest;
import dev.weft.mesh.http.adapter.MeshHosts;
import dev.weft.mesh.http.adapter.TraceHeaders;
import java.io.IOException;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;
import org.apache.hc.core5.http.message.BasicClassicHttpResponse;

/**
 * A classic Apache HttpClient 5 exec-chain handler that sends requests whose host names a mesh
 * service ({@code http://reviews/reviews/1}) through the mesh: routed, split, balanced, retried,
 * timed out, fault-injected, traced and measured by the engine's attempt loop, as {@code
 * MeshHttpClient}'s requests are. Each attempt proceeds down the chain once, with its own route to
 * the chosen endpoint, so the client's connection pool and the elements below work unchanged.
 * Requests for other hosts pass through untouched. Install it with {@link MeshHttpClient5}.
 *
 * <p>Idempotent methods are retried where the route says so; a request whose entity is not
 * repeatable is sent once only. Attempts run one after another on the calling thread (a hedge waits
 * for the attempt in flight; mirrored copies are not sent). Each attempt's connect and response
 * timeouts are the time the engine gives it. The deciding attempt's exception is thrown as the
 * client threw it; a mesh failure is thrown as an {@link IOException} whose cause is the {@link
 * MeshException}; an injected abort answers with its status.
 *
 * <p><b>TLS.</b> A cluster whose TLS mode is not {@code DISABLED} is called over {@code https} with
 * the connection manager's TLS strategy: for mutual TLS from the workload identity, give the
 * manager {@code new DefaultClientTlsStrategy(workloadTls.clientContext(settings),
 * NoopHostnameVerifier.INSTANCE)} (the workload's trust manager checks the server's SPIFFE ID).
 */
public final class MeshExecChainHandler implements ExecChainHandler {
  private final Mesh mesh;

  private MeshExecChainHandler(Mesh mesh) {
    this.mesh = requireNonNull(mesh, "mesh");
  }

  /** A handler over {@code mesh}. */
  public static MeshExecChainHandler create(Mesh mesh) {
    return new MeshExecChainHandler(mesh);
  }

  @Override
  public ClassicHttpResponse execute(
      ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
      throws IOException, HttpException {
    if (!MeshHosts.isMeshService(mesh, Requests.host(request, scope.route))) {
      return chain.proceed(request, scope);
    }
    HttpEntity entity = request.getEntity();
    LogicalHttpRequest logical = Requests.logical(request, entity == null || entity.isRepeatable());
    HttpClientContext context = scope.clientContext;
    RequestConfig base = context.getRequestConfigOrDefault();
    try {
      return BlockingMeshCall.execute(
          mesh, logical, new ClassicExchange(request, scope, chain, logical, base));
    } catch (MeshException e) {
      throw new IOException(e.getMessage(), e);
    } finally {
      context.setRequestConfig(base);
    }
  }

  private final class ClassicExchange implements BlockingMeshCall.Exchange<ClassicHttpResponse> {
    private final ClassicHttpRequest request;
    private final ExecChain.Scope scope;
    private final ExecChain chain;
    private final LogicalHttpRequest logical;
    private final RequestConfig base;

    ClassicExchange(
        ClassicHttpRequest request,
        ExecChain.Scope scope,
        ExecChain chain,
        LogicalHttpRequest logical,
        RequestConfig base) {
      this.request = request;
      this.scope = scope;
      this.chain = chain;
      this.logical = logical;
      this.base = base;
    }

    @Override
    public ClassicHttpResponse send(AttemptContext attempt) throws IOException {
      ClassicHttpRequest physical =
          ClassicRequestBuilder.copy(request)
              .setUri(EndpointUris.physical(logical.uri(), attempt))
              .build();
      TraceHeaders.inject(mesh, attempt, physical::setHeader);
      Requests.applyTimeout(scope.clientContext, base, attempt);
      if (scope.execRuntime.isEndpointAcquired()) {
        // The last attempt's connection, to another endpoint: back to the pool, so that this
        // attempt connects along its own route.
        scope.execRuntime.releaseEndpoint();
      }
      ExecChain.Scope attemptScope =
          new ExecChain.Scope(
              scope.exchangeId,
              Requests.route(attempt),
              physical,
              scope.execRuntime,
              scope.clientContext);
      try {
        return chain.proceed(physical, attemptScope);
      } catch (HttpException e) {
        throw new IOException(e.getMessage(), e);
      }
    }

    @Override
    public int status(ClassicHttpResponse response) {
      return response.getCode();
    }

    @Override
    public void discard(ClassicHttpResponse response) {
      EntityUtils.consumeQuietly(response.getEntity());
      try {
        response.close();
      } catch (IOException ignored) {
        // the connection is discarded either way
      }
    }

    @Override
    public ClassicHttpResponse detach(ClassicHttpResponse response) throws IOException {
      HttpEntity entity = response.getEntity();
      if (entity != null) {
        // Reading the whole entity releases the connection for the next attempt.
        byte[] body = EntityUtils.toByteArray(entity);
        response.setEntity(
            new ByteArrayEntity(
                body,
                entity.getContentType() == null
                    ? null
                    : ContentType.parseLenient(entity.getContentType())));
      }
      return response;
    }

    @Override
    public ClassicHttpResponse injectedAbort(int status) {
      BasicClassicHttpResponse response =
          new BasicClassicHttpResponse(status, "fault filter abort");
      response.setEntity(new StringEntity("fault filter abort", ContentType.TEXT_PLAIN));
      return response;
    }
  }
}
