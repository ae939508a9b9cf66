package dev.weft.mesh.xds.internal.client;

import dev.weft.mesh.xds.bootstrap.Bootstrap;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.File;
import java.io.IOException;

/**
 * Channels from the server URI (any gRPC target, {@code unix://} included) and the bootstrap's
 * credentials.
 */
final class GrpcTransportFactory implements XdsTransportFactory {
  static final GrpcTransportFactory INSTANCE = new GrpcTransportFactory();

  private GrpcTransportFactory() {}

  @Override
  public ManagedChannel create(Bootstrap.ServerInfo server) {
    return Grpc.newChannelBuilder(server.serverUri(), credentials(server)).build();
  }

  private static ChannelCredentials credentials(Bootstrap.ServerInfo server) {
    Bootstrap.ChannelCredentials c = server.credentials();
    if (!c.isTls()) {
      return InsecureChannelCredentials.create();
    }
    try {
      TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
      if (!c.caCertificateFile().isEmpty()) {
        tls.trustManager(new File(c.caCertificateFile()));
      }
      if (!c.certificateFile().isEmpty()) {
        tls.keyManager(new File(c.certificateFile()), new File(c.privateKeyFile()));
      }
      return tls.build();
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot read the TLS files for xDS server " + server.serverUri() + ": " + e, e);
    }
  }
}
