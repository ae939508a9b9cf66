package dev.weft.mesh.http;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.InjectedFaultException;
import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.api.config.TlsSettings;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.core.spi.CallHandle;
import dev.weft.mesh.core.spi.CallListener;
import dev.weft.mesh.security.tls.WorkloadTls;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * An HTTP client for logical URLs such as {@code http://reviews/reviews/1}: the host names a mesh
 * service, and each request is routed, balanced, retried, timed out, fault-injected, mirrored,
 * traced and measured by the {@link Mesh}. Requests go out through one JDK {@link HttpClient},
 * which keeps connections to each endpoint open for reuse.
 *
 * <p>Retries and hedges apply to idempotent methods (GET, HEAD, OPTIONS, TRACE, PUT, DELETE) unless
 * the route sets {@code retryNonIdempotent}; a retried request sends the same body again, so use
 * replayable body publishers (the JDK's {@code ofString}, {@code ofByteArray}, {@code ofFile} are).
 *
 * <p>A mesh failure (unknown service, no healthy endpoint, circuit open, rate limited) is thrown as
 * a {@link MeshException}; an injected abort answers with its configured status instead.
 * Thread-safe.
 *
 * <p><b>TLS.</b> A cluster whose TLS mode is not {@code DISABLED} is called over {@code https}. By
 * default with the JDK client's SSL context (the JDK's trust store). With {@link
 * Builder#workloadTls(WorkloadTls)}, each distinct {@link TlsSettings} gets its own JDK client over
 * {@link WorkloadTls#clientContext(TlsSettings)}: mutual TLS with the workload's rotating
 * certificate, the server's SPIFFE ID checked against the settings' {@code subjectAltNames}, and
 * the settings' SNI.
 */
public final class MeshHttpClient implements AutoCloseable {
  private final Mesh mesh;
  private final HttpClient client;
  private final boolean ownsClient;
  private final Duration defaultTimeout;
  private final Duration connectTimeout;
  private final WorkloadTls workloadTls;
  private final Map<TlsSettings, HttpClient> tlsClients = new ConcurrentHashMap<>();
  // Made once rather than per call.
  private final java.util.function.Function<TlsSettings, HttpClient> clients = this::clientFor;

  private MeshHttpClient(Builder b) {
    this.mesh = b.mesh;
    this.ownsClient = b.client == null;
    this.connectTimeout = b.connectTimeout;
    this.client =
        b.client != null
            ? b.client
            : HttpClient.newBuilder()
                .connectTimeout(b.connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    this.defaultTimeout = b.defaultTimeout;
    this.workloadTls = b.workloadTls;
  }

  /**
   * The JDK client for a cluster's TLS settings: the shared one for plaintext or without a workload
   * TLS; otherwise one per settings, made on first use.
   */
  HttpClient clientFor(TlsSettings tls) {
    if (workloadTls == null || tls.mode() == TlsSettings.Mode.DISABLED) {
      return client;
    }
    return tlsClients.computeIfAbsent(
        tls,
        s ->
            HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .sslContext(workloadTls.clientContext(s))
                .sslParameters(workloadTls.clientParameters(s))
                .build());
  }

  /** A builder for a client on {@code mesh}. */
  public static Builder builder(Mesh mesh) {
    return new Builder(mesh);
  }

  /** Sends a request and waits for its response. */
  public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws IOException, InterruptedException {
    CompletableFuture<HttpResponse<T>> future = sendAsync(request, handler);
    try {
      return future.get();
    } catch (InterruptedException e) {
      future.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IOException(cause);
    }
  }

  /**
   * Sends a request without blocking. Cancelling the returned future cancels the call and its
   * attempts in flight.
   */
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    return sendAsync(request, handler, false);
  }

  /**
   * Makes a typed client for an interface annotated with {@link
   * dev.weft.mesh.api.client.MeshClient}, encoding and decoding bodies as JSON with Jackson.
   *
   * @throws IllegalArgumentException naming the method, if an annotation is missing or inconsistent
   */
  public <T> T client(Class<T> type) {
    return client(type, BodyCodecs.json());
  }

  /** Makes a typed client for an annotated interface, with the given body codec. */
  public <T> T client(Class<T> type, BodyCodec codec) {
    return ClientProxy.create(this, type, codec);
  }

  <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, HttpResponse.BodyHandler<T> handler, boolean declaredIdempotent) {
    requireNonNull(request, "request");
    requireNonNull(handler, "handler");
    HttpCallRequest call = new HttpCallRequest(request, defaultTimeout, declaredIdempotent);
    HttpAttemptAdapter<T> adapter =
        new HttpAttemptAdapter<>(
            clients,
            request,
            handler,
            mesh.openTelemetry().getPropagators().getTextMapPropagator());
    CompletableFuture<HttpResponse<T>> result = new CompletableFuture<>();
    CallHandle handle =
        mesh.call(
            call,
            adapter,
            new CallListener<>() {
              @Override
              public void onComplete(HttpAttemptResult<T> r) {
                if (r.response() != null) {
                  result.complete(r.response());
                } else {
                  result.completeExceptionally(r.error());
                }
              }

              @Override
              public void onFailure(MeshException failure) {
                if (failure instanceof InjectedFaultException fault) {
                  SyntheticResponse.of(request, fault.httpStatus(), "fault filter abort", handler)
                      .whenComplete(
                          (response, error) -> {
                            if (error != null) {
                              result.completeExceptionally(error);
                            } else {
                              result.complete(response);
                            }
                          });
                } else {
                  result.completeExceptionally(failure);
                }
              }
            });
    result.whenComplete(
        (r, e) -> {
          if (e instanceof CancellationException) {
            handle.cancel();
          }
        });
    return result;
  }

  /** The mesh this client routes through. */
  public Mesh mesh() {
    return mesh;
  }

  /**
   * Releases the JDK clients' connections, of those this client created. Does not close a workload
   * TLS.
   */
  @Override
  public void close() {
    if (ownsClient) {
      closeClient(client);
    }
    tlsClients.values().forEach(MeshHttpClient::closeClient);
    tlsClients.clear();
  }

  private static void closeClient(HttpClient c) {
    // HttpClient is AutoCloseable only from Java 21; on 17 its connections close when it is
    // collected.
    if (c instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception ignored) {
        // best effort
      }
    }
  }

  /** Builds a {@link MeshHttpClient}. */
  public static final class Builder {
    private final Mesh mesh;
    private HttpClient client;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration defaultTimeout;
    private WorkloadTls workloadTls;

    private Builder(Mesh mesh) {
      this.mesh = requireNonNull(mesh, "mesh");
    }

    /**
     * The JDK client to send with (for its executor, SSL context, proxy settings); default: a new
     * one.
     */
    public Builder httpClient(HttpClient client) {
      this.client = requireNonNull(client, "client");
      return this;
    }

    /** How long connecting may take when this builder makes the JDK client; default 5 s. */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = requireNonNull(connectTimeout, "connectTimeout");
      return this;
    }

    /**
     * The overall timeout of requests that carry none; default none (the route's timeout still
     * applies).
     */
    public Builder defaultTimeout(Duration defaultTimeout) {
      this.defaultTimeout = requireNonNull(defaultTimeout, "defaultTimeout");
      return this;
    }

    /**
     * Secures calls to clusters whose TLS mode is {@code SIMPLE} or {@code MUTUAL} with a {@code
     * mesh-security} workload: each distinct {@link TlsSettings} gets a JDK client over {@link
     * WorkloadTls#clientContext(TlsSettings)} and {@link WorkloadTls#clientParameters(TlsSettings)}
     * (the workload's rotating certificate, the server's SPIFFE ID checked, SNI). Plaintext
     * clusters keep using the {@link #httpClient(HttpClient) shared client}. Default: none, and
     * {@code https} uses the shared client's SSL context. The caller keeps ownership of {@code
     * tls}.
     */
    public Builder workloadTls(WorkloadTls tls) {
      this.workloadTls = requireNonNull(tls, "tls");
      return this;
    }

    public MeshHttpClient build() {
      return new MeshHttpClient(this);
    }
  }
}
