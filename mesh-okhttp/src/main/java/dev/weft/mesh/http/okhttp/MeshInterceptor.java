package dev.weft.mesh.http.okhttp;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.api.config.TlsSettings;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.core.spi.AttemptContext;
import dev.weft.mesh.http.adapter.BlockingMeshCall;
import dev.weft.mesh.http.adapter.EndpointUris;
import dev.weft.mesh.http.adapter.LogicalHttpRequest;
import dev.weft.mesh.http.adapter.MeshHosts;
import dev.weft.mesh.http.adapter.TraceHeaders;
import dev.weft.mesh.security.tls.WorkloadTls;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * An OkHttp application interceptor that sends requests whose host names a mesh service ({@code
 * http://reviews/reviews/1}) through the mesh: routed, split, balanced, retried, timed out,
 * fault-injected, traced and measured by the engine's attempt loop, as {@code MeshHttpClient}'s
 * requests are. Each attempt is one {@code chain.proceed} to the chosen endpoint, so the
 * interceptors after this one, OkHttp's connection pool and Retrofit work unchanged. Requests for
 * other hosts pass through untouched.
 *
 * <pre>{@code
 * OkHttpClient client = new OkHttpClient.Builder()
 *     .addInterceptor(MeshInterceptor.create(mesh))
 *     .build();
 * }</pre>
 *
 * <p>Add it with {@code addInterceptor} (an application interceptor), not as a network interceptor,
 * which may proceed only once.
 *
 * <p><b>Retries.</b> Idempotent methods are retried where the route says so; a one-shot or duplex
 * {@link RequestBody} is sent once only. Attempts of one call run one after another on the calling
 * thread; a hedge waits for the attempt in flight, and mirrored copies are not sent.
 *
 * <p><b>Timeouts.</b> Each attempt's connect, read and write timeouts are set to the time the
 * engine gives it (the route's timeout, the per-try timeout, what is left of the call's deadline);
 * the call's own {@code callTimeout}, if set, is the caller's deadline.
 *
 * <p><b>Failures.</b> The deciding attempt's {@link IOException} is thrown as OkHttp threw it; a
 * mesh failure (unknown cluster, no healthy endpoint, circuit open, rate limited) is thrown as an
 * {@link IOException} whose cause is the {@link MeshException}, so that an enqueued call's {@code
 * Callback} hears it. An injected abort answers with its status, as Envoy's fault filter does.
 *
 * <p><b>TLS.</b> A cluster whose TLS mode is not {@code DISABLED} is called over {@code https}.
 * With {@link Builder#workloadTls(WorkloadTls)}, each distinct {@link TlsSettings} gets the
 * workload's SSL context (mutual TLS with its rotating certificate, the server's SPIFFE ID
 * checked); otherwise the client's own SSL settings apply. Thread-safe.
 */
public final class MeshInterceptor implements Interceptor {
  private static final MediaType TEXT = MediaType.get("text/plain; charset=utf-8");

  private final Mesh mesh;
  private final WorkloadTls workloadTls;
  private final Map<TlsSettings, SSLSocketFactory> socketFactories = new ConcurrentHashMap<>();

  private MeshInterceptor(Builder b) {
    this.mesh = b.mesh;
    this.workloadTls = b.workloadTls;
  }

  /** An interceptor over {@code mesh}, with the client's own TLS settings. */
  public static MeshInterceptor create(Mesh mesh) {
    return builder(mesh).build();
  }

  /** A builder of an interceptor over {@code mesh}. */
  public static Builder builder(Mesh mesh) {
    return new Builder(mesh);
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    if (!MeshHosts.isMeshService(mesh, request.url().host())) {
      return chain.proceed(request);
    }
    RequestBody body = request.body();
    boolean replayable = body == null || (!body.isOneShot() && !body.isDuplex());
    long callTimeout = chain.call().timeout().timeoutNanos();
    LogicalHttpRequest logical =
        LogicalHttpRequest.of(
            request.method(),
            request.url().uri(),
            request::header,
            replayable,
            callTimeout > 0 ? callTimeout : Long.MAX_VALUE);
    try {
      return BlockingMeshCall.execute(mesh, logical, new OkHttpExchange(chain, request, logical));
    } catch (MeshException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private SSLSocketFactory socketFactory(TlsSettings tls) {
    return socketFactories.computeIfAbsent(
        tls,
        s -> {
          SSLContext context = workloadTls.clientContext(s);
          return new ParameterizedSocketFactory(
              context.getSocketFactory(), workloadTls.clientParameters(s));
        });
  }

  /** One logical request's attempts: each rewrites the URL to the endpoint and proceeds. */
  private final class OkHttpExchange implements BlockingMeshCall.Exchange<Response> {
    private final Chain chain;
    private final Request request;
    private final LogicalHttpRequest logical;

    OkHttpExchange(Chain chain, Request request, LogicalHttpRequest logical) {
      this.chain = chain;
      this.request = request;
      this.logical = logical;
    }

    @Override
    public Response send(AttemptContext attempt) throws IOException {
      Request.Builder b =
          request.newBuilder().url(EndpointUris.physicalString(logical.uri(), attempt));
      TraceHeaders.inject(mesh, attempt, b::header);
      // The engine decides what is tried again, and where; OkHttp's own retry would try the
      // same endpoint behind its back.
      Chain c = chain.withRetryOnConnectionFailure(false);
      long nanos = attempt.timeoutNanos();
      if (nanos != Long.MAX_VALUE) {
        int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, (nanos + 999_999) / 1_000_000));
        c =
            c.withConnectTimeout(millis, TimeUnit.MILLISECONDS)
                .withReadTimeout(millis, TimeUnit.MILLISECONDS)
                .withWriteTimeout(millis, TimeUnit.MILLISECONDS);
      }
      TlsSettings tls = attempt.cluster().tls();
      if (workloadTls != null && tls.mode() != TlsSettings.Mode.DISABLED) {
        // The trust manager checks the server's SPIFFE ID; the endpoint's address is no DNS name.
        c =
            c.withSslSocketFactory(socketFactory(tls), workloadTls.clientTrustManager(tls))
                .withHostnameVerifier((host, session) -> true);
      }
      return c.proceed(b.build());
    }

    @Override
    public int status(Response response) {
      return response.code();
    }

    @Override
    public void discard(Response response) {
      response.close();
    }

    @Override
    public Response detach(Response response) throws IOException {
      try (response) {
        ResponseBody body = response.body();
        return response
            .newBuilder()
            .body(ResponseBody.create(body.bytes(), body.contentType()))
            .build();
      }
    }

    @Override
    public Response injectedAbort(int status) {
      return new Response.Builder()
          .request(request)
          .protocol(Protocol.HTTP_1_1)
          .code(status)
          .message("fault filter abort")
          .body(ResponseBody.create("fault filter abort", TEXT))
          .build();
    }
  }

  /** Builds a {@link MeshInterceptor}. */
  public static final class Builder {
    private final Mesh mesh;
    private WorkloadTls workloadTls;

    private Builder(Mesh mesh) {
      this.mesh = requireNonNull(mesh, "mesh");
    }

    /**
     * Secures calls to clusters whose TLS mode is {@code SIMPLE} or {@code MUTUAL} with a {@code
     * mesh-security} workload: the workload's rotating certificate, the server's SPIFFE ID checked
     * against the settings' {@code subjectAltNames}. Default: none, and {@code https} uses the
     * client's SSL settings. The caller keeps ownership of {@code tls}.
     */
    public Builder workloadTls(WorkloadTls tls) {
      this.workloadTls = requireNonNull(tls, "tls");
      return this;
    }

    public MeshInterceptor build() {
      return new MeshInterceptor(this);
    }
  }
}
