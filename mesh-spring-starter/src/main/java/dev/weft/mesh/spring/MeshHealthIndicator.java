package dev.weft.mesh.spring;

import dev.weft.mesh.core.Mesh;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * DOWN while the mesh has never loaded a configuration; UP once it has, with the version in force
 * and, when the last update was rejected, the error (the mesh keeps serving the previous version).
 */
public class MeshHealthIndicator implements HealthIndicator {
  private final Mesh mesh;

  public MeshHealthIndicator(Mesh mesh) {
    this.mesh = mesh;
  }

  @Override
  public Health health() {
    Health.Builder b = mesh.ready() ? Health.up() : Health.down();
    b.withDetail("source", mesh.configSourceDescription());
    if (mesh.ready()) {
      b.withDetail("version", mesh.configVersion());
    }
    Throwable error = mesh.lastConfigError();
    if (error != null) {
      b.withDetail("lastError", String.valueOf(error.getMessage()));
    }
    return b.build();
  }
}
