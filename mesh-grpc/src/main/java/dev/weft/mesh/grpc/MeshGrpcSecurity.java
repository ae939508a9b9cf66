package dev.weft.mesh.grpc;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.security.AuthorizationEnforcer;
import dev.weft.mesh.security.PeerIdentity;
import dev.weft.mesh.security.RequestPrincipal;
import dev.weft.mesh.security.tls.WorkloadTls;
import io.grpc.ChannelCredentials;
import io.grpc.Context;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.netty.NettySslContextServerCredentials;
import io.netty.handler.ssl.SslContext;
import java.util.Optional;
import java.util.function.Function;

/**
 * Mutual TLS with SPIFFE identities and authorization for grpc-java, over a {@code mesh-security}
 * {@link WorkloadTls}.
 *
 * <pre>{@code
 * // Client: every cluster whose TLS mode is SIMPLE or MUTUAL gets the workload's rotating material
 * MeshGrpc grpc = MeshGrpc.builder(mesh).workloadTls(tls).build();
 *
 * // Server: mutual TLS (client certificate required) and authorization
 * Server server = MeshServer.builder()
 *     .workloadTls(tls)
 *     .authorization(enforcer)
 *     .applyTo(NettyServerBuilder.forPort(8443))
 *     .addService(new ReviewsService())
 *     .build().start();
 *
 * // In a handler
 * PeerIdentity caller = MeshGrpcSecurity.PEER_IDENTITY.get();   // null for an unauthenticated caller
 * }</pre>
 *
 * <p>The Netty contexts use the JDK TLS provider, so that every handshake asks the workload's
 * reloading key and trust managers: new connections use rotated certificates at once, and a
 * rotation drops the contexts' cached sessions so that no connection resumes one made with the old
 * certificates. Connections already open keep theirs.
 */
public final class MeshGrpcSecurity {
  /**
   * The caller's verified identity, in the gRPC {@link Context} of a call that passed the
   * interceptor of {@link #authorization} or {@link #peerIdentity()}; null for a plaintext or
   * anonymous caller, or without those interceptors.
   */
  public static final Context.Key<PeerIdentity> PEER_IDENTITY = Context.key("weft-peer-identity");

  /**
   * The end user of a call whose token a request authentication verified, in the gRPC {@link
   * Context} of a call that passed the interceptor of {@link #authorization}; null for a call
   * without a token. Its name is the request principal {@code ISSUER/SUBJECT}.
   */
  public static final Context.Key<RequestPrincipal> REQUEST_PRINCIPAL =
      Context.key("weft-request-principal");

  private MeshGrpcSecurity() {}

  /**
   * Channel credentials for each cluster from its {@code TlsSettings} (cached per settings):
   * plaintext for {@code DISABLED}; for {@code SIMPLE} and {@code MUTUAL}, TLS whose client
   * certificate (mutual only) is the workload's or the one the settings name, and whose server must
   * chain to the workload's CA bundle (or the settings' own) and present one of the settings'
   * {@code subjectAltNames} (SPIFFE IDs). For {@link MeshGrpc.Builder#channelCredentials}; or use
   * {@link MeshGrpc.Builder#workloadTls(WorkloadTls)}.
   */
  public static Function<Cluster, ChannelCredentials> channelCredentials(WorkloadTls tls) {
    return new WorkloadChannelCredentials(requireNonNull(tls, "tls"));
  }

  /**
   * A Netty server context presenting the workload's certificate and verifying clients with its CA
   * bundle and trust domains. With {@code requireClientCertificate} (mutual TLS), a client without
   * a valid certificate fails the handshake; without it a client may connect anonymously (and has
   * no {@link PeerIdentity}).
   */
  public static SslContext serverSslContext(WorkloadTls tls, boolean requireClientCertificate) {
    return WorkloadChannelCredentials.serverContext(
        requireNonNull(tls, "tls"), requireClientCertificate);
  }

  /**
   * Server credentials for mutual TLS: {@link #serverSslContext(WorkloadTls, boolean)} with a
   * client certificate required. For {@code NettyServerBuilder.forPort(port, credentials)} or
   * {@code Grpc.newServerBuilderForPort(port, credentials)}.
   */
  public static ServerCredentials serverCredentials(WorkloadTls tls) {
    return NettySslContextServerCredentials.create(serverSslContext(tls, true));
  }

  /**
   * A server interceptor that reads the caller's identity from the call's TLS session, asks {@code
   * enforcer}, and closes a call with an invalid end-user token with {@code UNAUTHENTICATED} and a
   * denied call with {@code PERMISSION_DENIED} (the service's handler is not called); an allowed
   * call runs with the identity in {@link #PEER_IDENTITY} and the end user, if a token was
   * verified, in {@link #REQUEST_PRINCIPAL}. Install it with {@link
   * MeshServer.Builder#authorization}.
   */
  public static ServerInterceptor authorization(AuthorizationEnforcer enforcer) {
    return new AuthorizationServerInterceptor(requireNonNull(enforcer, "enforcer"));
  }

  /**
   * A server interceptor that only puts the caller's identity in {@link #PEER_IDENTITY} (no
   * authorization).
   */
  public static ServerInterceptor peerIdentity() {
    return new AuthorizationServerInterceptor(null);
  }

  /** The identity of the caller of the current call, from {@link #PEER_IDENTITY}. */
  public static Optional<PeerIdentity> currentPeer() {
    return Optional.ofNullable(PEER_IDENTITY.get());
  }
}
