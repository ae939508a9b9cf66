package dev.weft.mesh.grpc;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.TlsSettings;
import dev.weft.mesh.security.tls.ReloadingKeyManager;
import dev.weft.mesh.security.tls.ReloadingTrustManager;
import dev.weft.mesh.security.tls.TlsContexts;
import dev.weft.mesh.security.tls.TlsMaterialListener;
import dev.weft.mesh.security.tls.WorkloadTls;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettySslContextChannelCredentials;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import javax.net.ssl.SSLException;

/**
 * Channel credentials from a {@link WorkloadTls}: one Netty client context per distinct {@link
 * TlsSettings}, over the workload's reloading key and trust managers.
 */
final class WorkloadChannelCredentials implements Function<Cluster, ChannelCredentials> {
  private final WorkloadTls tls;
  private final Map<TlsSettings, ChannelCredentials> bySettings = new ConcurrentHashMap<>();

  WorkloadChannelCredentials(WorkloadTls tls) {
    this.tls = tls;
  }

  @Override
  public ChannelCredentials apply(Cluster cluster) {
    TlsSettings settings = cluster.tls();
    if (settings.mode() == TlsSettings.Mode.DISABLED) {
      return InsecureChannelCredentials.create();
    }
    return bySettings.computeIfAbsent(
        settings, s -> NettySslContextChannelCredentials.create(clientContext(s)));
  }

  private SslContext clientContext(TlsSettings settings) {
    ReloadingKeyManager keyManager = tls.clientKeyManager(settings);
    ReloadingTrustManager trustManager = tls.clientTrustManager(settings);
    SslContextBuilder b = SslContextBuilder.forClient().trustManager(trustManager);
    if (keyManager != null) {
      b.keyManager(keyManager);
    }
    return dropSessionsOnReload(build(b), keyManager, trustManager);
  }

  static SslContext serverContext(WorkloadTls tls, boolean requireClientCertificate) {
    ReloadingTrustManager verifier = tls.clientVerifier();
    SslContextBuilder b =
        SslContextBuilder.forServer(tls.keyManager())
            .trustManager(verifier)
            .clientAuth(requireClientCertificate ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
    return dropSessionsOnReload(build(b), tls.keyManager(), verifier);
  }

  private static SslContext build(SslContextBuilder b) {
    try {
      // The JDK provider asks the key and trust managers on every handshake, so rotation takes
      // effect at once.
      return GrpcSslContexts.configure(b, SslProvider.JDK).build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot create a Netty TLS context: " + e.getMessage(), e);
    }
  }

  /**
   * After a rotation, new connections must do a full handshake rather than resume an old session.
   */
  private static SslContext dropSessionsOnReload(
      SslContext context, ReloadingKeyManager keyManager, ReloadingTrustManager trustManager) {
    WeakReference<SslContext> ref = new WeakReference<>(context);
    TlsMaterialListener listener =
        new TlsMaterialListener() {
          @Override
          public void reloaded(String description) {
            SslContext c = ref.get();
            if (c != null) {
              TlsContexts.invalidate(c.sessionContext());
            }
          }
        };
    if (keyManager != null) {
      keyManager.addListener(listener);
    }
    trustManager.bundle().addListener(listener);
    return context;
  }
}
