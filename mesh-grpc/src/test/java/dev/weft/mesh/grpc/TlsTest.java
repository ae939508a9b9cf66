package dev.weft.mesh.grpc;

import static dev.weft.mesh.grpc.Backend.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.TlsSettings;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.testing.TlsTesting;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster's TLS settings choose the endpoint channel's credentials (grpc-testing's test
 * certificates).
 */
class TlsTest extends MeshGrpcTestSupport {
  /** The test server certificate is issued for *.test.google.fr. */
  private static final String SNI = "foo.test.google.fr";

  @TempDir Path dir;

  private Path pem(String name) throws IOException {
    Path p = dir.resolve(name);
    try (InputStream in = TlsTesting.loadCert(name)) {
      Files.copy(in, p, StandardCopyOption.REPLACE_EXISTING);
    }
    return p;
  }

  private Backend tlsBackend(boolean requireClientCertificate) throws IOException {
    TlsServerCredentials.Builder creds =
        TlsServerCredentials.newBuilder()
            .keyManager(pem("server1.pem").toFile(), pem("server1.key").toFile());
    if (requireClientCertificate) {
      creds
          .trustManager(pem("ca.pem").toFile())
          .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
    }
    ServerCredentials sc = creds.build();
    Backend.Echo echo = new Backend.Echo("tls");
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), sc)
            .addService(echo)
            .build()
            .start();
    Backend b = Backend.of("tls", server);
    backends.add(b);
    return b;
  }

  private static Cluster tlsCluster(Backend b, TlsSettings tls) {
    return Cluster.builder("c").endpoints(b.endpoint()).tls(tls).build();
  }

  @Test
  void simpleTlsVerifiesTheServerAgainstTheClustersCa() throws Exception {
    Backend b = tlsBackend(false);
    TlsSettings tls =
        new TlsSettings(TlsSettings.Mode.SIMPLE, "", "", pem("ca.pem").toString(), List.of(), SNI);
    start(config("v1", route(Destination.of("c")).build(), tlsCluster(b, tls)));
    assertThat(blocking().unaryRpc(request("x")).getResponseMessage()).isEqualTo("tls:x");
  }

  @Test
  void mutualTlsPresentsTheClientCertificate() throws Exception {
    Backend b = tlsBackend(true);
    TlsSettings tls =
        new TlsSettings(
            TlsSettings.Mode.MUTUAL,
            pem("client.pem").toString(),
            pem("client.key").toString(),
            pem("ca.pem").toString(),
            List.of(),
            SNI);
    start(config("v1", route(Destination.of("c")).build(), tlsCluster(b, tls)));
    assertThat(blocking().unaryRpc(request("x")).getResponseMessage()).isEqualTo("tls:x");
  }

  @Test
  void plaintextToATlsServerFails() throws Exception {
    Backend b = tlsBackend(false);
    start(config("v1", route(Destination.of("c")).build(), tlsCluster(b, TlsSettings.DISABLED)));
    assertThatThrownBy(
            () ->
                blocking()
                    .withDeadlineAfter(3, java.util.concurrent.TimeUnit.SECONDS)
                    .unaryRpc(request("x")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e ->
                assertThat(e.getStatus().getCode())
                    .isIn(
                        Status.Code.UNAVAILABLE,
                        Status.Code.INTERNAL,
                        Status.Code.DEADLINE_EXCEEDED));
  }

  @Test
  void credentialsHookReplacesTheDefault() throws Exception {
    Backend b = tlsBackend(false);
    Path ca = pem("ca.pem");
    // The cluster says nothing about TLS; the hook (as mesh-security would) secures it anyway.
    start(
        config("v1", route(Destination.of("c")).build(), tlsCluster(b, TlsSettings.DISABLED)),
        dev.weft.mesh.core.Mesh.builder(),
        m ->
            MeshGrpc.builder(m)
                .channelCredentials(
                    cluster -> {
                      try {
                        return io.grpc.TlsChannelCredentials.newBuilder()
                            .trustManager(ca.toFile())
                            .build();
                      } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                      }
                    })
                .channelCustomizer(nb -> nb.overrideAuthority(SNI)));
    assertThat(blocking().unaryRpc(request("x")).getResponseMessage()).isEqualTo("tls:x");
  }
}
