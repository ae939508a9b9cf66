package dev.weft.mesh.xds.internal.client;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Channel;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * A state-of-the-world ADS stream (gRFC A27): every request names all subscribed resources of its
 * type with the version in force and the last nonce, so a subscription change, an ACK and a NACK
 * are the same request, the NACK with an error_detail.
 */
final class SotwAdsStream implements AdsStream {

  private final Node node;
  private final StreamCall<DiscoveryRequest, DiscoveryResponse> call;

  /** Responses name their type by URL; the last nonce of each. */
  private final Map<String, String> noncesByUrl = new HashMap<>();

  private SotwAdsStream(Node node, Executor work, Listener listener) {
    this.node = node;
    this.call =
        new StreamCall<>(
            work,
            () -> listener.onReady(this),
            r -> {
              noncesByUrl.put(r.getTypeUrl(), r.getNonce());
              listener.onResponse(
                  this,
                  new AdsResponse(
                      r.getTypeUrl(),
                      r.getVersionInfo(),
                      r.getNonce(),
                      r.getResourcesList(),
                      Map.of(),
                      Set.of(),
                      true));
            },
            status -> listener.onClosed(this, status));
  }

  static AdsStream open(Channel channel, Node node, Executor work, Listener listener) {
    SotwAdsStream s = new SotwAdsStream(node, work, listener);
    AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(s.call);
    return s;
  }

  @Override
  public void requestSubscriptions(TypeState<?> ts) {
    send(ts, null);
  }

  @Override
  public void ack(TypeState<?> ts) {
    send(ts, null);
  }

  @Override
  public void nack(TypeState<?> ts, String errorDetail) {
    send(ts, errorDetail);
  }

  private void send(TypeState<?> ts, String errorDetail) {
    DiscoveryRequest.Builder req =
        DiscoveryRequest.newBuilder()
            .setNode(node)
            .setTypeUrl(ts.type.typeUrl())
            .setVersionInfo(ts.version)
            .setResponseNonce(nonce(ts.type))
            .addAllResourceNames(ts.names());
    if (errorDetail != null) {
      req.setErrorDetail(
          com.google.rpc.Status.newBuilder()
              .setCode(io.grpc.Status.Code.INVALID_ARGUMENT.value())
              .setMessage(errorDetail));
    }
    call.send(req.build());
  }

  @Override
  public String nonce(XdsResourceType<?> type) {
    return noncesByUrl.getOrDefault(type.typeUrl(), "");
  }

  @Override
  public void cancel(String why) {
    call.cancel(why);
  }
}
