package dev.weft.mesh.xds;

import dev.weft.mesh.xds.internal.client.XdsClientStatus;
import java.util.List;

/**
 * What an {@link XdsConfigSource} is doing: the stream and per-type ACK/NACK state, the targets, the
 * configuration delivered last and what is still awaited.
 *
 * @param client the ADS client's status (connection state, versions and nonces in force, counts)
 * @param targets the listener names watched
 * @param deliveredVersion the version of the configuration delivered last, or empty
 * @param awaiting resources still awaited before a complete configuration can be built
 * @param lastError the last rejection or transient error, or empty
 */
public record XdsStatus(XdsClientStatus client, List<String> targets, String deliveredVersion, List<String> awaiting,
    String lastError) {
  public XdsStatus {
    targets = List.copyOf(targets);
    awaiting = List.copyOf(awaiting);
  }
}
