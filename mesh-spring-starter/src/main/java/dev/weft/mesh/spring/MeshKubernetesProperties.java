package dev.weft.mesh.spring;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code weft.mesh.kubernetes.*}: the Kubernetes configuration source (endpoints from
 * EndpointSlices, routes from Gateway API HTTPRoutes and GRPCRoutes), on when {@code
 * weft.mesh.kubernetes.enabled=true} and {@code mesh-kubernetes} is on the class path. A {@code
 * weft.mesh.config.file} then lies under it for the policies the Gateway API does not carry.
 */
@ConfigurationProperties("weft.mesh.kubernetes")
public class MeshKubernetesProperties {
  /** Whether the Kubernetes source is used. */
  private boolean enabled;

  /** The namespaces to watch; by default the pod's own (as fabric8 finds it). */
  private List<String> namespaces = new ArrayList<>();

  /**
   * The Services to discover, as name (in the first namespace) or namespace/name; by default every
   * Service in the watched namespaces.
   */
  private List<String> services = new ArrayList<>();

  /** Whether HTTPRoutes and GRPCRoutes whose parent is a Service are watched and applied. */
  private boolean routes = true;

  /** Whether pod labels become endpoint labels (needs list and watch on pods). */
  private boolean podLabels = true;

  /** Whether the source checks its RBAC permissions at start and fails naming what is missing. */
  private boolean checkPermissions = true;

  /** The cluster's DNS domain, for the long Service names. */
  private String clusterDomain = "cluster.local";

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public List<String> getNamespaces() {
    return namespaces;
  }

  public void setNamespaces(List<String> namespaces) {
    this.namespaces = namespaces;
  }

  public List<String> getServices() {
    return services;
  }

  public void setServices(List<String> services) {
    this.services = services;
  }

  public boolean isRoutes() {
    return routes;
  }

  public void setRoutes(boolean routes) {
    this.routes = routes;
  }

  public boolean isPodLabels() {
    return podLabels;
  }

  public void setPodLabels(boolean podLabels) {
    this.podLabels = podLabels;
  }

  public boolean isCheckPermissions() {
    return checkPermissions;
  }

  public void setCheckPermissions(boolean checkPermissions) {
    this.checkPermissions = checkPermissions;
  }

  public String getClusterDomain() {
    return clusterDomain;
  }

  public void setClusterDomain(String clusterDomain) {
    this.clusterDomain = clusterDomain;
  }
}
