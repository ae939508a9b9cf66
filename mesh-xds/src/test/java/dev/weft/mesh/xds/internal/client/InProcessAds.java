package dev.weft.mesh.xds.internal.client;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process ADS server, both forms, whose responses the test writes by hand; it records every
 * stream.
 */
final class InProcessAds implements AutoCloseable {
  /** One stream as the server saw it. */
  static final class Stream {
    final List<DiscoveryRequest> sotw = new CopyOnWriteArrayList<>();
    final List<DeltaDiscoveryRequest> delta = new CopyOnWriteArrayList<>();
    volatile StreamObserver<DiscoveryResponse> sotwOut;
    volatile StreamObserver<DeltaDiscoveryResponse> deltaOut;
    volatile boolean ended;
  }

  final List<Stream> streams = new CopyOnWriteArrayList<>();

  /** When set, every new stream is failed with it at once, before any response. */
  volatile Status refuseWith;

  private final AtomicInteger nonces = new AtomicInteger();
  private final Server server;

  InProcessAds(String name) throws IOException {
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(
                new AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase() {
                  @Override
                  public StreamObserver<DiscoveryRequest> streamAggregatedResources(
                      StreamObserver<DiscoveryResponse> out) {
                    Stream s = new Stream();
                    s.sotwOut = out;
                    return open(s, s.sotw, out);
                  }

                  @Override
                  public StreamObserver<DeltaDiscoveryRequest> deltaAggregatedResources(
                      StreamObserver<DeltaDiscoveryResponse> out) {
                    Stream s = new Stream();
                    s.deltaOut = out;
                    return open(s, s.delta, out);
                  }
                })
            .build()
            .start();
  }

  private <Q> StreamObserver<Q> open(Stream s, List<Q> requests, StreamObserver<?> out) {
    streams.add(s);
    Status refuse = refuseWith;
    if (refuse != null) {
      s.ended = true;
      out.onError(refuse.asRuntimeException());
    }
    return new StreamObserver<>() {
      @Override
      public void onNext(Q request) {
        requests.add(request);
      }

      @Override
      public void onError(Throwable t) {
        s.ended = true;
      }

      @Override
      public void onCompleted() {
        s.ended = true;
      }
    };
  }

  Stream last() {
    return streams.get(streams.size() - 1);
  }

  /** Sends a response on the last stream in its form; returns its nonce. */
  synchronized String respond(String typeUrl, String version, Message... resources) {
    String nonce = "n" + nonces.incrementAndGet();
    Stream s = last();
    if (s.sotwOut != null) {
      DiscoveryResponse.Builder b =
          DiscoveryResponse.newBuilder()
              .setTypeUrl(typeUrl)
              .setVersionInfo(version)
              .setNonce(nonce);
      for (Message m : resources) {
        b.addResources(Any.pack(m));
      }
      s.sotwOut.onNext(b.build());
    } else {
      DeltaDiscoveryResponse.Builder b =
          DeltaDiscoveryResponse.newBuilder()
              .setTypeUrl(typeUrl)
              .setSystemVersionInfo(version)
              .setNonce(nonce);
      for (Message m : resources) {
        Any any = Any.pack(m);
        b.addResources(
            Resource.newBuilder()
                .setName(TestTypes.nameOf(m))
                .setVersion(version)
                .setResource(any));
      }
      s.deltaOut.onNext(b.build());
    }
    return nonce;
  }

  /** Ends the last stream with {@code status}, as a server going away would. */
  void fail(Status status) {
    Stream s = last();
    s.ended = true;
    (s.sotwOut != null ? s.sotwOut : s.deltaOut).onError(status.asRuntimeException());
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }
}
