package dev.weft.samples.bookinfo;

import dev.weft.mesh.grpc.MeshGrpcSecurity;
import dev.weft.mesh.grpc.MeshServer;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ratings service: a gRPC server that gives each product's reviewers their stars. Called by
 * reviews v2 and v3 through the mesh. With a {@link ServiceSecurity} it serves the same service on
 * a second, mutual-TLS server, and both enforce its authorization policies.
 */
public final class Ratings implements AutoCloseable {
  private final Server server;
  private final Server mtlsServer;
  private final AtomicLong calls = new AtomicLong();
  private final Callers callers = new Callers();

  /**
   * @param security its mutual-TLS port and policies; null to serve plaintext only
   * @param openTelemetry traces calls; null for none
   * @param registry measures calls; null for none
   */
  Ratings(
      InetSocketAddress address,
      ServiceSecurity security,
      OpenTelemetry openTelemetry,
      MeterRegistry registry)
      throws IOException {
    ServerServiceDefinition service =
        ServerServiceDefinition.builder(RatingsApi.SERVICE)
            .addMethod(
                RatingsApi.GET_RATINGS,
                ServerCalls.asyncUnaryCall(
                    (request, reply) -> {
                      calls.incrementAndGet();
                      callers.record(Optional.ofNullable(MeshGrpcSecurity.PEER_IDENTITY.get()));
                      reply.onNext(
                          new RatingsApi.RatingsReply(
                              request.productId(), Map.of("Reviewer1", 5, "Reviewer2", 4)));
                      reply.onCompleted();
                    }))
            .build();
    this.server =
        meshServer(security, openTelemetry, registry)
            .build()
            .applyTo(NettyServerBuilder.forAddress(address))
            .addService(service)
            .build()
            .start();
    Server mtls = null;
    if (security != null) {
      try {
        mtls =
            meshServer(security, openTelemetry, registry)
                .workloadTls(security.tls())
                .build()
                .applyTo(NettyServerBuilder.forAddress(security.mtlsAddress()))
                .addService(service)
                .build()
                .start();
      } catch (IOException | RuntimeException e) {
        server.shutdownNow();
        throw e;
      }
    }
    this.mtlsServer = mtls;
  }

  private static MeshServer.Builder meshServer(
      ServiceSecurity security, OpenTelemetry openTelemetry, MeterRegistry registry) {
    MeshServer.Builder builder = MeshServer.builder();
    if (openTelemetry != null) {
      builder.openTelemetry(openTelemetry);
    }
    if (registry != null) {
      builder.meterRegistry(registry);
    }
    if (security != null) {
      builder.authorization(security.enforcer());
    } else {
      builder.securityInterceptor(MeshGrpcSecurity.peerIdentity());
    }
    return builder;
  }

  long calls() {
    return calls.get();
  }

  /** Calls answered so far, by the caller's verified identity. */
  Map<String, Long> callers() {
    return callers.snapshot();
  }

  int port() {
    return server.getPort();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    if (mtlsServer != null) {
      mtlsServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    server.awaitTermination(5, TimeUnit.SECONDS);
  }

  /** {@code Ratings [port]}: runs the ratings service alone, in plaintext. */
  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 9085;
    Ratings ratings = new Ratings(new InetSocketAddress("127.0.0.1", port), null, null, null);
    System.out.println("ratings listening on 127.0.0.1:" + ratings.port());
    ratings.server.awaitTermination();
  }
}
