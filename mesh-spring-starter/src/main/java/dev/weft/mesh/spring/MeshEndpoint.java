package dev.weft.mesh.spring;

import dev.weft.mesh.core.Mesh;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code /actuator/mesh}: the configuration version in force, its source and status, the routes,
 * and every cluster's endpoints with weights, health, ejection state and load.
 */
@Endpoint(id = "mesh")
public class MeshEndpoint {
  private final Mesh mesh;

  public MeshEndpoint(Mesh mesh) {
    this.mesh = mesh;
  }

  @ReadOperation
  public Map<String, Object> mesh() {
    return mesh.describe();
  }
}
