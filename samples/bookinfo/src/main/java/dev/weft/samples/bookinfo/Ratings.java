package dev.weft.samples.bookinfo;

import dev.weft.mesh.grpc.MeshServer;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ratings service: a gRPC server that gives each product's reviewers their stars. Called by
 * reviews v2 and v3 through the mesh.
 */
public final class Ratings implements AutoCloseable {
  private final Server server;
  private final AtomicLong calls = new AtomicLong();

  Ratings(InetSocketAddress address, MeshServer meshServer) throws IOException {
    ServerServiceDefinition service = ServerServiceDefinition.builder(RatingsApi.SERVICE)
        .addMethod(RatingsApi.GET_RATINGS, ServerCalls.asyncUnaryCall((request, reply) -> {
          calls.incrementAndGet();
          reply.onNext(new RatingsApi.RatingsReply(request.productId(), Map.of("Reviewer1", 5, "Reviewer2", 4)));
          reply.onCompleted();
        }))
        .build();
    this.server = meshServer.applyTo(NettyServerBuilder.forAddress(address)).addService(service).build().start();
  }

  long calls() {
    return calls.get();
  }

  int port() {
    return server.getPort();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  /** {@code Ratings [port]}: runs the ratings service alone. */
  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 9085;
    Ratings ratings = new Ratings(new InetSocketAddress("127.0.0.1", port), MeshServer.builder().build());
    System.out.println("ratings listening on 127.0.0.1:" + ratings.port());
    ratings.server.awaitTermination();
  }
}
