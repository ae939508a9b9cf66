package dev.weft.mesh.http.adapter;

import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.core.Mesh;

/** Which URL hosts name a mesh service, so that other hosts can go straight out. */
public final class MeshHosts {
  private MeshHosts() {}

  /**
   * Whether {@code host} names a service or a cluster of the configuration in force. Before the
   * first configuration, a single-label host other than {@code localhost} (such as {@code reviews})
   * counts as one, so that its call waits for the configuration as {@link Mesh#call} lets it,
   * rather than going to DNS; dotted names and addresses go straight out.
   *
   * @param host the URL's host; null (an opaque or relative URL) is never a mesh service
   */
  public static boolean isMeshService(Mesh mesh, String host) {
    if (host == null || host.isEmpty()) {
      return false;
    }
    if (!mesh.ready()) {
      return host.indexOf('.') < 0 && host.indexOf(':') < 0 && !host.equals("localhost");
    }
    MeshConfig config = mesh.config();
    return config.service(host).isPresent() || config.cluster(host).isPresent();
  }
}
