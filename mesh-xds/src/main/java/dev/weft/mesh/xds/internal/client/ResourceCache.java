package dev.weft.mesh.xds.internal.client;

import com.google.protobuf.Any;
import java.util.List;
import java.util.Map;

/**
 * Keeps a copy of the last accepted resources of each type so that a restarted client can serve
 * while the management server is unreachable. Called on the client's work thread.
 */
public interface ResourceCache {

  /** Keeps nothing. */
  ResourceCache NONE =
      new ResourceCache() {
        @Override
        public void store(String typeUrl, String version, List<Any> resources) {}

        @Override
        public Map<String, Stored> load() {
          return Map.of();
        }
      };

  /** Replaces what is kept for {@code typeUrl}. Failures are logged, never thrown. */
  void store(String typeUrl, String version, List<Any> resources);

  /** Everything kept, by type URL; empty when nothing is kept or it cannot be read. */
  Map<String, Stored> load();

  /** The resources kept for one type, with the version they were accepted at. */
  record Stored(String version, List<Any> resources) {
    public Stored {
      resources = List.copyOf(resources);
    }
  }
}
