package dev.weft.mesh.xds;

import dev.weft.mesh.xds.internal.client.XdsClientStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What an {@link XdsConfigSource} is doing: the stream and per-type ACK/NACK state, the targets,
 * the configuration delivered last and what is still awaited.
 *
 * @param client the ADS client's status (connection state, versions and nonces in force, counts)
 * @param targets the listener names watched
 * @param deliveredVersion the version of the configuration delivered last, or empty
 * @param awaiting resources still awaited before a complete configuration can be built
 * @param lastError the last rejection or transient error, or empty
 */
public record XdsStatus(
    XdsClientStatus client,
    List<String> targets,
    String deliveredVersion,
    List<String> awaiting,
    String lastError) {
  public XdsStatus {
    targets = List.copyOf(targets);
    awaiting = List.copyOf(awaiting);
  }

  /**
   * As plain data for the mesh's config dump; {@code serverListener} is null when none is watched.
   */
  Map<String, Object> toDump(String serverListener) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("server", client.server());
    m.put("connection", client.state().name().toLowerCase(Locale.ROOT));
    if (!client.lastStreamError().isEmpty()) {
      m.put("lastStreamError", client.lastStreamError());
    }
    m.put("targets", targets);
    if (serverListener != null) {
      m.put("serverListener", serverListener);
    }
    m.put("deliveredVersion", deliveredVersion);
    if (!awaiting.isEmpty()) {
      m.put("awaiting", awaiting);
    }
    List<Object> types = new ArrayList<>();
    for (var t : client.types()) {
      Map<String, Object> tm = new LinkedHashMap<>();
      tm.put("type", t.shortName());
      tm.put("version", t.version());
      tm.put("nonce", t.nonce());
      tm.put("resources", t.subscribed());
      tm.put("accepted", t.accepted());
      tm.put("rejected", t.rejected());
      if (!t.lastError().isEmpty()) {
        tm.put("lastError", t.lastError());
      }
      if (t.fromCache()) {
        tm.put("fromCache", true);
      }
      types.add(tm);
    }
    m.put("resources", types);
    return m;
  }
}
