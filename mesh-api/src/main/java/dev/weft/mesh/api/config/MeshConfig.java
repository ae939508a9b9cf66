package dev.weft.mesh.api.config;

import dev.weft.mesh.api.internal.Checks;
import dev.weft.mesh.api.security.AuthorizationPolicy;
import dev.weft.mesh.api.security.PathNormalization;
import dev.weft.mesh.api.security.RequestAuthentication;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a mesh is configured with at one moment: an immutable, versioned whole that is applied
 * all at once or not at all.
 *
 * <p>A service that is not listed but has a cluster of the same name is reachable too: its calls go
 * to that cluster with no route policies.
 *
 * @param version identifies this configuration (a file's content hash, an xDS version); never blank
 * @param services the logical services callers address
 * @param clusters the backends routes send calls to
 * @param authorizationPolicies who may call the services this process serves (Istio's
 *     AuthorizationPolicy semantics: DENY wins; with any ALLOW policy, what none allows is denied)
 * @param pathNormalization how this process's servers normalize a request's path before the
 *     policies check it (Istio's {@code meshConfig.pathNormalization}); safe by default
 * @param requestAuthentications which end-user tokens this process's servers verify (Istio's
 *     RequestAuthentication semantics)
 */
public record MeshConfig(
    String version,
    List<Service> services,
    List<Cluster> clusters,
    List<AuthorizationPolicy> authorizationPolicies,
    PathNormalization pathNormalization,
    List<RequestAuthentication> requestAuthentications) {

  /** A configuration with nothing in it. */
  public static final MeshConfig EMPTY = new MeshConfig("empty", List.of(), List.of());

  public MeshConfig {
    pathNormalization = pathNormalization == null ? PathNormalization.DEFAULT : pathNormalization;
    services = Checks.listAllowingNulls(services);
    clusters = Checks.listAllowingNulls(clusters);
    authorizationPolicies = Checks.listAllowingNulls(authorizationPolicies);
    requestAuthentications = Checks.listAllowingNulls(requestAuthentications);
    Checks c = Checks.start();
    c.name(version, "version");
    Checks.elementsNotNull(c, services, "services");
    Checks.elementsNotNull(c, clusters, "clusters");
    Checks.elementsNotNull(c, authorizationPolicies, "authorizationPolicies");
    c.unique(services, Service::name, "services", "service name");
    c.unique(clusters, Cluster::name, "clusters", "cluster name");
    c.unique(
        authorizationPolicies, AuthorizationPolicy::name, "authorizationPolicies", "policy name");
    Checks.elementsNotNull(c, requestAuthentications, "requestAuthentications");
    c.unique(
        requestAuthentications,
        RequestAuthentication::name,
        "requestAuthentications",
        "request authentication name");
    checkReferences(c, services, clusters);
    c.throwIfAny();
  }

  /** A configuration without request authentication. */
  public MeshConfig(
      String version,
      List<Service> services,
      List<Cluster> clusters,
      List<AuthorizationPolicy> authorizationPolicies,
      PathNormalization pathNormalization) {
    this(version, services, clusters, authorizationPolicies, pathNormalization, List.of());
  }

  /** A configuration with the default path normalization. */
  public MeshConfig(
      String version,
      List<Service> services,
      List<Cluster> clusters,
      List<AuthorizationPolicy> authorizationPolicies) {
    this(version, services, clusters, authorizationPolicies, PathNormalization.DEFAULT);
  }

  /** A configuration without authorization policies. */
  public MeshConfig(String version, List<Service> services, List<Cluster> clusters) {
    this(version, services, clusters, List.of());
  }

  private static void checkReferences(Checks c, List<Service> services, List<Cluster> clusters) {
    Map<String, Cluster> byName = new HashMap<>();
    for (Cluster cluster : clusters) {
      if (cluster != null) {
        byName.putIfAbsent(cluster.name(), cluster);
      }
    }
    for (int s = 0; s < services.size(); s++) {
      Service service = services.get(s);
      if (service == null) {
        continue;
      }
      for (int r = 0; r < service.routes().size(); r++) {
        Route route = service.routes().get(r);
        String routePath = "services[" + s + "].routes[" + r + "]";
        for (int d = 0; d < route.destinations().size(); d++) {
          Destination dest = route.destinations().get(d);
          checkTarget(
              c, byName, dest.cluster(), dest.subset(), routePath + ".destinations[" + d + "]");
        }
        for (int m = 0; m < route.mirrors().size(); m++) {
          MirrorPolicy mirror = route.mirrors().get(m);
          checkTarget(
              c, byName, mirror.cluster(), mirror.subset(), routePath + ".mirrors[" + m + "]");
        }
      }
    }
  }

  private static void checkTarget(
      Checks c, Map<String, Cluster> clusters, String cluster, String subset, String path) {
    Cluster target = clusters.get(cluster);
    if (target == null) {
      c.add(
          path + ".cluster",
          "names cluster '"
              + cluster
              + "', which is not defined; defined clusters: "
              + new ArrayList<>(clusters.keySet()));
    } else if (!subset.isEmpty() && target.subset(subset).isEmpty()) {
      List<String> names = target.subsets().stream().map(Subset::name).toList();
      c.add(
          path + ".subset",
          "names subset '"
              + subset
              + "' of cluster '"
              + cluster
              + "', which defines only "
              + names);
    }
  }

  /** The service with this name, if listed. */
  public Optional<Service> service(String name) {
    for (Service s : services) {
      if (s.name().equals(name)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** The cluster with this name, if defined. */
  public Optional<Cluster> cluster(String name) {
    for (Cluster c : clusters) {
      if (c.name().equals(name)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  /** This configuration, whole, under another version. */
  public MeshConfig withVersion(String newVersion) {
    return new MeshConfig(
        newVersion,
        services,
        clusters,
        authorizationPolicies,
        pathNormalization,
        requestAuthentications);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link MeshConfig}. */
  public static final class Builder {
    private String version = "1";
    private final List<Service> services = new ArrayList<>();
    private final List<Cluster> clusters = new ArrayList<>();
    private final List<AuthorizationPolicy> authorizationPolicies = new ArrayList<>();
    private final List<RequestAuthentication> requestAuthentications = new ArrayList<>();
    private PathNormalization pathNormalization = PathNormalization.DEFAULT;

    private Builder() {}

    public Builder version(String version) {
      this.version = version;
      return this;
    }

    public Builder service(Service service) {
      services.add(service);
      return this;
    }

    public Builder cluster(Cluster cluster) {
      clusters.add(cluster);
      return this;
    }

    public Builder authorizationPolicy(AuthorizationPolicy policy) {
      authorizationPolicies.add(policy);
      return this;
    }

    public Builder pathNormalization(PathNormalization pathNormalization) {
      this.pathNormalization = pathNormalization;
      return this;
    }

    public Builder requestAuthentication(RequestAuthentication requestAuthentication) {
      requestAuthentications.add(requestAuthentication);
      return this;
    }

    public MeshConfig build() {
      return new MeshConfig(
          version,
          services,
          clusters,
          authorizationPolicies,
          pathNormalization,
          requestAuthentications);
    }
  }
}
