package dev.weft.mesh.xds.internal.client;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.Channel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;

/**
 * An incremental (delta) ADS stream: requests carry only the names added and removed since the last
 * one on this stream, the first request of a type names the versions in hand so the server sends
 * only what changed, and an ACK or NACK is the nonce alone (with an error_detail for a NACK).
 */
final class DeltaAdsStream implements AdsStream {
  private final Node node;
  private final StreamCall<DeltaDiscoveryRequest, DeltaDiscoveryResponse> call;
  private final Map<String, String> noncesByUrl = new HashMap<>();

  /**
   * The names the server was told of on this stream, per type; absent until the type's first
   * request.
   */
  private final Map<XdsResourceType<?>, Set<String>> told = new IdentityHashMap<>();

  private DeltaAdsStream(Node node, Executor work, Listener listener) {
    this.node = node;
    this.call =
        new StreamCall<>(
            work,
            () -> listener.onReady(this),
            r -> {
              noncesByUrl.put(r.getTypeUrl(), r.getNonce());
              listener.onResponse(this, toResponse(r));
            },
            status -> listener.onClosed(this, status));
  }

  static AdsStream open(Channel channel, Node node, Executor work, Listener listener) {
    DeltaAdsStream s = new DeltaAdsStream(node, work, listener);
    AggregatedDiscoveryServiceGrpc.newStub(channel).deltaAggregatedResources(s.call);
    return s;
  }

  private static AdsResponse toResponse(DeltaDiscoveryResponse r) {
    List<Any> resources = new ArrayList<>();
    Map<String, String> versions = new HashMap<>();
    for (Resource resource : r.getResourcesList()) {
      resources.add(resource.getResource());
      versions.put(resource.getName(), resource.getVersion());
    }
    return new AdsResponse(
        r.getTypeUrl(),
        r.getSystemVersionInfo(),
        r.getNonce(),
        resources,
        versions,
        Set.copyOf(r.getRemovedResourcesList()),
        false);
  }

  @Override
  public void requestSubscriptions(TypeState<?> ts) {
    Set<String> wanted = ts.subs.keySet();
    Set<String> before = told.get(ts.type);
    boolean first = before == null;
    Set<String> subscribe = new TreeSet<>(wanted);
    Set<String> unsubscribe = new TreeSet<>();
    if (!first) {
      subscribe.removeAll(before);
      unsubscribe.addAll(before);
      unsubscribe.removeAll(wanted);
      if (subscribe.isEmpty() && unsubscribe.isEmpty()) {
        return;
      }
    }
    DeltaDiscoveryRequest.Builder req =
        DeltaDiscoveryRequest.newBuilder()
            .setNode(node)
            .setTypeUrl(ts.type.typeUrl())
            .addAllResourceNamesSubscribe(subscribe)
            .addAllResourceNamesUnsubscribe(unsubscribe);
    if (first) {
      // A new stream: say which versions are in hand so the server sends only what changed.
      ts.resourceVersions.forEach(
          (name, version) -> {
            if (wanted.contains(name) && !version.isEmpty()) {
              req.putInitialResourceVersions(name, version);
            }
          });
    }
    told.put(ts.type, new java.util.HashSet<>(wanted));
    call.send(req.build());
  }

  @Override
  public void ack(TypeState<?> ts) {
    call.send(reply(ts).build());
  }

  @Override
  public void nack(TypeState<?> ts, String errorDetail) {
    call.send(
        reply(ts)
            .setErrorDetail(
                com.google.rpc.Status.newBuilder()
                    .setCode(io.grpc.Status.Code.INVALID_ARGUMENT.value())
                    .setMessage(errorDetail))
            .build());
  }

  private DeltaDiscoveryRequest.Builder reply(TypeState<?> ts) {
    return DeltaDiscoveryRequest.newBuilder()
        .setTypeUrl(ts.type.typeUrl())
        .setResponseNonce(nonce(ts.type));
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
