package dev.weft.mesh.xds.internal.client;

import com.google.protobuf.Any;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One discovery response, whichever form of the stream it came on.
 *
 * @param typeUrl the type URL the response is for
 * @param version the response's version_info (system_version_info in incremental ADS)
 * @param nonce the response's nonce, echoed by the ACK or NACK
 * @param resources the resources it carries
 * @param resourceVersions the version of each resource by name (incremental only; empty otherwise)
 * @param removed the names the server removed (incremental only; empty otherwise)
 * @param complete whether {@code resources} is every resource of the type (state of the world), so
 *     that a subscribed one missing from it is gone when the type requires all resources
 */
record AdsResponse(
    String typeUrl,
    String version,
    String nonce,
    List<Any> resources,
    Map<String, String> resourceVersions,
    Set<String> removed,
    boolean complete) {
  AdsResponse {
    resources = List.copyOf(resources);
    resourceVersions = Map.copyOf(resourceVersions);
    removed = Set.copyOf(removed);
  }
}
