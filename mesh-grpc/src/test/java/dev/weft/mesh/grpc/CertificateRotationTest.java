package dev.weft.mesh.grpc;

import static dev.weft.mesh.grpc.Backend.request;
import static dev.weft.mesh.grpc.TestWorkloads.PRODUCTPAGE;
import static dev.weft.mesh.grpc.TestWorkloads.REVIEWS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.TlsSettings;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.security.PeerIdentity;
import dev.weft.mesh.security.tls.WorkloadTls;
import dev.weft.mesh.testing.certs.DevCertificateAuthority;
import dev.weft.mesh.testing.certs.DevCertificates;
import dev.weft.mesh.testing.certs.IssuedCertificate;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rotates the server's and the client's certificates three times during 2,000 mutual-TLS calls
 * through the mesh channel: no call fails, and new connections present the new certificates on both
 * sides. Rotation is driven by {@code reload()}; after each rotation the configuration moves the
 * cluster to a backend the client has never connected to, so that the next calls need a new
 * connection (the one to the previous backend drains gracefully).
 */
class CertificateRotationTest extends MeshGrpcTestSupport {
  static final int CALLS = 2000;
  static final int WORKERS = 4;
  static final int ROTATIONS = 3;
  static final TlsSettings TO_REVIEWS =
      new TlsSettings(TlsSettings.Mode.MUTUAL, "", "", "", List.of(REVIEWS), "");

  @TempDir Path dir;

  /**
   * What one call presented: the backend that served it, the client's and the server's certificate
   * serials.
   */
  record Seen(int backend, BigInteger clientSerial, BigInteger serverSerial) {}

  private static ServerInterceptor recorder(int backend, Queue<Seen> seen) {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        BigInteger client =
            PeerIdentity.from(session).map(PeerIdentity::serialNumber).orElse(BigInteger.ZERO);
        BigInteger server = ((X509Certificate) session.getLocalCertificates()[0]).getSerialNumber();
        seen.add(new Seen(backend, client, server));
        return next.startCall(call, headers);
      }
    };
  }

  private static MeshConfig configFor(int version, Backend backend) {
    Cluster cluster =
        Cluster.builder("reviews").endpoints(backend.endpoint()).tls(TO_REVIEWS).build();
    return config("v" + version, route(Destination.of("reviews")).build(), cluster);
  }

  @Test
  void rotatingBothSidesDuringTwoThousandCallsFailsNoneAndNewConnectionsPresentTheNewCertificates()
      throws Exception {
    DevCertificateAuthority ca = DevCertificates.newAuthority("weft.test CA");
    List<BigInteger> serverSerials = new ArrayList<>();
    List<BigInteger> clientSerials = new ArrayList<>();
    IssuedCertificate serverCert = ca.workload(REVIEWS).ipAddresses("127.0.0.1").issue();
    IssuedCertificate clientCert = ca.workload(PRODUCTPAGE).issue();
    serverSerials.add(serverCert.serialNumber());
    clientSerials.add(clientCert.serialNumber());

    try (TestWorkloads workloads = new TestWorkloads(dir)) {
      TestWorkloads.Files serverFiles = workloads.write("reviews", serverCert, ca);
      TestWorkloads.Files clientFiles = workloads.write("productpage", clientCert, ca);
      WorkloadTls serverTls = workloads.tls(serverFiles);
      WorkloadTls clientTls = workloads.tls(clientFiles);

      Queue<Seen> seen = new ConcurrentLinkedQueue<>();
      List<Backend> generations = new ArrayList<>();
      for (int g = 0; g <= ROTATIONS; g++) {
        Server server =
            MeshServer.builder()
                .workloadTls(serverTls)
                .securityInterceptor(recorder(g, seen))
                .applyTo(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)))
                .addService(new Backend.Echo("reviews"))
                .build()
                .start();
        Backend b = Backend.of("reviews-" + g, server);
        backends.add(b);
        generations.add(b);
      }
      start(
          configFor(0, generations.get(0)),
          Mesh.builder(),
          m -> MeshGrpc.builder(m).workloadTls(clientTls));
      SimpleServiceGrpc.SimpleServiceBlockingStub stub = blocking();

      AtomicInteger sent = new AtomicInteger();
      AtomicInteger ok = new AtomicInteger();
      Queue<String> failures = new ConcurrentLinkedQueue<>();
      CountDownLatch[] reached = new CountDownLatch[ROTATIONS];
      CountDownLatch[] rotated = new CountDownLatch[ROTATIONS];
      for (int i = 0; i < ROTATIONS; i++) {
        reached[i] = new CountDownLatch(1);
        rotated[i] = new CountDownLatch(1);
      }
      ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
      List<Future<?>> running = new ArrayList<>();
      for (int w = 0; w < WORKERS; w++) {
        running.add(
            workers.submit(
                () -> {
                  int n;
                  while ((n = sent.getAndIncrement()) < CALLS) {
                    int rotation = n / (CALLS / (ROTATIONS + 1));
                    try {
                      if (rotation >= 1 && rotation <= ROTATIONS) {
                        // Calls of the previous phase may still be in flight while the rotation
                        // runs; the
                        // calls of this phase start after it, so that each phase has its share of
                        // calls.
                        reached[rotation - 1].countDown();
                        if (!rotated[rotation - 1].await(30, TimeUnit.SECONDS)) {
                          throw new IllegalStateException(
                              "rotation " + rotation + " did not happen");
                        }
                      }
                      stub.withDeadlineAfter(10, TimeUnit.SECONDS).unaryRpc(request("x"));
                      ok.incrementAndGet();
                    } catch (RuntimeException | InterruptedException e) {
                      failures.add(e.toString());
                    }
                  }
                }));
      }
      for (int g = 1; g <= ROTATIONS; g++) {
        assertThat(reached[g - 1].await(30, TimeUnit.SECONDS)).isTrue();
        IssuedCertificate nextServer = ca.workload(REVIEWS).ipAddresses("127.0.0.1").issue();
        IssuedCertificate nextClient = ca.workload(PRODUCTPAGE).issue();
        serverFiles.rotate(nextServer);
        clientFiles.rotate(nextClient);
        assertThat(serverTls.keyManager().reload()).as("server reload %d", g).isTrue();
        assertThat(clientTls.keyManager().reload()).as("client reload %d", g).isTrue();
        serverSerials.add(nextServer.serialNumber());
        clientSerials.add(nextClient.serialNumber());
        source.update(configFor(g, generations.get(g)));
        rotated[g - 1].countDown();
      }
      for (Future<?> f : running) {
        f.get(60, TimeUnit.SECONDS);
      }
      workers.shutdown();
      assertThat(workers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

      assertThat(failures).as("failed calls").isEmpty();
      assertThat(ok.get()).isEqualTo(CALLS);
      assertThat(seen).hasSize(CALLS);
      for (int g = 0; g <= ROTATIONS; g++) {
        int generation = g;
        List<Seen> onBackend = seen.stream().filter(s -> s.backend() == generation).toList();
        assertThat(onBackend)
            .as("calls on the connection opened after rotation %d", g)
            .isNotEmpty();
        assertThat(onBackend)
            .as("client certificates presented after rotation %d", g)
            .allSatisfy(s -> assertThat(s.clientSerial()).isEqualTo(clientSerials.get(generation)));
        assertThat(onBackend)
            .as("server certificates presented after rotation %d", g)
            .allSatisfy(s -> assertThat(s.serverSerial()).isEqualTo(serverSerials.get(generation)));
      }
    }
  }
}
