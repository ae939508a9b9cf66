package dev.weft.mesh.discovery.file;

import dev.weft.mesh.api.config.MeshConfig;
import net.jqwik.api.Arbitrary;

/** The YAML round-trip property's generator of valid {@link MeshConfig}s, for other modules' properties. */
public final class GeneratedMeshConfigs {
  private GeneratedMeshConfigs() {}

  /** Arbitrary valid configurations, varied in every record of the model. */
  public static Arbitrary<MeshConfig> meshConfigs() {
    return MeshConfigs.meshConfigs();
  }
}
