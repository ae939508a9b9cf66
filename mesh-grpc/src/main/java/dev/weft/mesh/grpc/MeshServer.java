package dev.weft.mesh.grpc;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.security.AuthorizationEnforcer;
import dev.weft.mesh.security.tls.WorkloadTls;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.util.ArrayList;
import java.util.List;

/**
 * Installs the mesh's server interceptors on a grpc-java {@link ServerBuilder}, in the order they
 * must run: tracing first (so that every call, a refused one too, has its span), then metrics, then
 * the security interceptors (mTLS identity and authorization from {@code mesh-security}), then the
 * application.
 *
 * <pre>{@code
 * Server server = MeshServer.builder()
 *     .openTelemetry(openTelemetry)
 *     .meterRegistry(registry)
 *     .securityInterceptor(authorization)   // from mesh-security, when used
 *     .applyTo(NettyServerBuilder.forPort(8080))
 *     .addService(new RatingsService())
 *     .build()
 *     .start();
 * }</pre>
 */
public final class MeshServer {
  private final OpenTelemetry openTelemetry;
  private final MeterRegistry meterRegistry;
  private final List<ServerInterceptor> security;
  private final WorkloadTls workloadTls;

  private MeshServer(Builder b) {
    this.openTelemetry = b.openTelemetry;
    this.meterRegistry = b.meterRegistry;
    this.security = List.copyOf(b.security);
    this.workloadTls = b.workloadTls;
  }

  /** A builder; with nothing set, {@link #applyTo} installs nothing. */
  public static Builder builder() {
    return new Builder();
  }

  /** The interceptors, outermost first. */
  public List<ServerInterceptor> interceptors() {
    List<ServerInterceptor> all = new ArrayList<>();
    if (openTelemetry != null) {
      all.add(MeshServerInterceptors.tracing(openTelemetry));
    }
    if (meterRegistry != null) {
      all.add(MeshServerInterceptors.metrics(meterRegistry));
    }
    all.addAll(security);
    return all;
  }

  /**
   * Adds the interceptors to {@code serverBuilder} and returns it, for chaining; with {@link
   * Builder#workloadTls}, also sets its TLS context.
   *
   * @throws IllegalArgumentException when a workload TLS is set and the builder is not a {@link
   *     NettyServerBuilder} (give other builders {@link MeshGrpcSecurity#serverCredentials})
   */
  public <T extends ServerBuilder<T>> T applyTo(T serverBuilder) {
    requireNonNull(serverBuilder, "serverBuilder");
    if (workloadTls != null) {
      if (!(serverBuilder instanceof NettyServerBuilder netty)) {
        throw new IllegalArgumentException(
            "workloadTls(...) needs a NettyServerBuilder, got "
                + serverBuilder.getClass().getName()
                + "; build the server with MeshGrpcSecurity.serverCredentials(tls) instead");
      }
      netty.sslContext(MeshGrpcSecurity.serverSslContext(workloadTls, true));
    }
    List<ServerInterceptor> all = interceptors();
    // ServerBuilder runs interceptors in the reverse order of adding: add the innermost first.
    for (int i = all.size() - 1; i >= 0; i--) {
      serverBuilder.intercept(all.get(i));
    }
    return serverBuilder;
  }

  /** Builds a {@link MeshServer}. */
  public static final class Builder {
    private OpenTelemetry openTelemetry;
    private MeterRegistry meterRegistry;
    private final List<ServerInterceptor> security = new ArrayList<>();
    private WorkloadTls workloadTls;

    private Builder() {}

    /**
     * Serves mutual TLS with a {@code mesh-security} workload: {@link #applyTo} gives the {@link
     * NettyServerBuilder} a context that presents the workload's rotating certificate and requires
     * a client certificate that chains to its CA bundle (and trust domains). A plaintext client
     * fails the handshake. The caller keeps ownership of {@code tls}.
     */
    public Builder workloadTls(WorkloadTls tls) {
      this.workloadTls = requireNonNull(tls, "tls");
      return this;
    }

    /**
     * Enforces authorization: adds {@link MeshGrpcSecurity#authorization(AuthorizationEnforcer)} as
     * a security interceptor. Denied calls close with {@code PERMISSION_DENIED} and the reason;
     * allowed ones see the caller in {@link MeshGrpcSecurity#PEER_IDENTITY}.
     */
    public Builder authorization(AuthorizationEnforcer enforcer) {
      return securityInterceptor(MeshGrpcSecurity.authorization(enforcer));
    }

    /** Traces calls with this OpenTelemetry (see {@link MeshServerInterceptors#tracing}). */
    public Builder openTelemetry(OpenTelemetry openTelemetry) {
      this.openTelemetry = requireNonNull(openTelemetry, "openTelemetry");
      return this;
    }

    /** Measures calls into this registry (see {@link MeshServerInterceptors#metrics}). */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = requireNonNull(meterRegistry, "meterRegistry");
      return this;
    }

    /**
     * The hook for {@code mesh-security}: an interceptor that establishes the caller's mTLS
     * identity or enforces authorization. Runs inside tracing and metrics, in the order added,
     * before the application. A rejected call should close with {@code UNAUTHENTICATED} or {@code
     * PERMISSION_DENIED}.
     */
    public Builder securityInterceptor(ServerInterceptor interceptor) {
      security.add(requireNonNull(interceptor, "interceptor"));
      return this;
    }

    public MeshServer build() {
      return new MeshServer(this);
    }

    /** Shorthand for {@code build().applyTo(serverBuilder)}. */
    public <T extends ServerBuilder<T>> T applyTo(T serverBuilder) {
      return build().applyTo(serverBuilder);
    }
  }
}
