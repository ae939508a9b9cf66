package dev.weft.mesh.kubernetes.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * How Kubernetes Services are named in the mesh model. A Service's first port is the cluster {@code
 * <name>.<namespace>}; any other port is {@code <name>.<namespace>:<port>}. Callers address a
 * Service as {@code <name>} (in the local namespace), {@code <name>.<namespace>}, {@code
 * <name>.<namespace>.svc} or {@code <name>.<namespace>.svc.<cluster domain>}, as they would its DNS
 * name.
 */
public final class ClusterNames {
  private ClusterNames() {}

  /** The cluster of a Service's port; {@code defaultPort} says whether it is the first port. */
  public static String cluster(String namespace, String service, int port, boolean defaultPort) {
    String base = service + "." + namespace;
    return defaultPort ? base : base + ":" + port;
  }

  /** The names callers may use for a Service, shortest first. */
  public static List<String> aliases(
      String namespace, String service, String localNamespace, String clusterDomain) {
    List<String> names = new ArrayList<>(4);
    if (namespace.equals(localNamespace)) {
      names.add(service);
    }
    names.add(service + "." + namespace);
    names.add(service + "." + namespace + ".svc");
    names.add(service + "." + namespace + ".svc." + clusterDomain);
    return names;
  }
}
