package dev.weft.mesh.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An ADS server whose responses the test writes by hand, for cases a snapshot cache will not
 * produce.
 */
final class ScriptedAdsServer implements AutoCloseable {
  final List<DiscoveryRequest> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger nonces = new AtomicInteger();
  private volatile StreamObserver<DiscoveryResponse> client;
  private final Server server;

  ScriptedAdsServer() throws IOException {
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(
                new AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase() {
                  @Override
                  public StreamObserver<DiscoveryRequest> streamAggregatedResources(
                      StreamObserver<DiscoveryResponse> responses) {
                    client = responses;
                    return new StreamObserver<>() {
                      @Override
                      public void onNext(DiscoveryRequest request) {
                        requests.add(request);
                      }

                      @Override
                      public void onError(Throwable t) {}

                      @Override
                      public void onCompleted() {
                        responses.onCompleted();
                      }
                    };
                  }
                })
            .build()
            .start();
  }

  String target() {
    return "127.0.0.1:" + server.getPort();
  }

  boolean connected() {
    return client != null;
  }

  /** Sends a response with these resources; returns its nonce. */
  synchronized String send(String typeUrl, String version, Message... resources) {
    DiscoveryResponse.Builder b =
        DiscoveryResponse.newBuilder()
            .setTypeUrl(typeUrl)
            .setVersionInfo(version)
            .setNonce("n" + nonces.incrementAndGet());
    for (Message m : resources) {
      b.addResources(Any.pack(m));
    }
    DiscoveryResponse r = b.build();
    client.onNext(r);
    return r.getNonce();
  }

  /** Whether the client ACKed the response with this nonce. */
  boolean acked(String nonce) {
    return requests.stream()
        .anyMatch(r -> r.getResponseNonce().equals(nonce) && !r.hasErrorDetail());
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }
}
