package dev.weft.mesh.kubernetes.internal;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.HealthStatus;
import dev.weft.mesh.api.config.Locality;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns Services and their {@code discovery.k8s.io/v1} EndpointSlices into clusters, one per
 * Service port.
 *
 * <ul>
 *   <li>An endpoint that is {@code ready} is an endpoint at priority 0. One that is {@code serving}
 *       but {@code terminating} is kept at priority 1: the balancer sends it new calls only when
 *       priority 0 cannot take them (nothing else is left), and calls already on it finish. Any
 *       other endpoint (not serving) is left out.
 *   <li>The slice's {@code zone} becomes the endpoint's locality zone and its {@code nodeName} the
 *       sub-zone.
 *   <li>The labels of the pod an endpoint's {@code targetRef} names become the endpoint's labels,
 *       so subsets by {@code version} work as in Istio.
 *   <li>An address in several slices (while the controller moves it) counts once, at its best
 *       condition.
 * </ul>
 *
 * <p>Pure: reads its inputs, returns values, keeps nothing.
 */
public final class ClusterTranslator {
  /** The label the EndpointSlice controller puts on a slice to name its Service. */
  public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  private ClusterTranslator() {}

  /** The pod labels by {@code namespace/name}. */
  public interface PodLabels {
    Map<String, String> of(String namespace, String name);
  }

  /**
   * The clusters of one Service, first port first.
   *
   * @param slices the EndpointSlices labelled with this Service's name, in its namespace
   */
  public static List<Cluster> clusters(
      Service service, Collection<EndpointSlice> slices, PodLabels pods) {
    String ns = service.getMetadata().getNamespace();
    String name = service.getMetadata().getName();
    List<Cluster> out = new ArrayList<>();
    for (ServicePort port : ServicePorts.of(service)) {
      boolean first = ServicePorts.isFirst(service, port);
      String clusterName = ClusterNames.cluster(ns, name, port.getPort(), first);
      Map<String, Endpoint> byAddress = new LinkedHashMap<>();
      for (EndpointSlice slice : slices) {
        Integer target = targetPort(slice, ServicePorts.name(port));
        if (target == null || slice.getEndpoints() == null) {
          continue;
        }
        String type = slice.getAddressType();
        if (type != null && !type.equals("IPv4") && !type.equals("IPv6")) {
          continue; // FQDN slices are for DNS discovery
        }
        for (io.fabric8.kubernetes.api.model.discovery.v1.Endpoint e : slice.getEndpoints()) {
          int priority = priority(e.getConditions());
          if (priority < 0 || e.getAddresses() == null) {
            continue;
          }
          Locality locality =
              new Locality(
                  "",
                  Objects.requireNonNullElse(e.getZone(), ""),
                  Objects.requireNonNullElse(e.getNodeName(), ""));
          Map<String, String> labels = labels(ns, e.getTargetRef(), pods);
          for (String address : e.getAddresses()) {
            Endpoint endpoint =
                Endpoint.builder(address, target)
                    .locality(locality)
                    .priority(priority)
                    .health(HealthStatus.HEALTHY)
                    .labels(labels)
                    .build();
            byAddress.merge(
                endpoint.address(), endpoint, (a, b) -> a.priority() <= b.priority() ? a : b);
          }
        }
      }
      out.add(Cluster.builder(clusterName).endpoints(new ArrayList<>(byAddress.values())).build());
    }
    return out;
  }

  /** 0 for ready, 1 for serving but terminating, -1 for an endpoint that takes no calls. */
  static int priority(EndpointConditions conditions) {
    // Absent conditions mean ready and serving (the API's own reading of nil).
    Boolean readyField = conditions == null ? null : conditions.getReady();
    Boolean servingField = conditions == null ? null : conditions.getServing();
    Boolean terminatingField = conditions == null ? null : conditions.getTerminating();
    boolean terminating = Boolean.TRUE.equals(terminatingField);
    boolean ready = readyField == null ? !terminating : readyField;
    boolean serving = servingField == null ? ready : servingField;
    if (ready && !terminating) {
      return 0;
    }
    if (serving && terminating) {
      return 1;
    }
    return ready ? 0 : -1;
  }

  private static Integer targetPort(EndpointSlice slice, String portName) {
    if (slice.getPorts() == null) {
      return null;
    }
    for (EndpointPort p : slice.getPorts()) {
      String n = p.getName() == null ? "" : p.getName();
      if (n.equals(portName) && p.getPort() != null && p.getPort() > 0) {
        return p.getPort();
      }
    }
    return null;
  }

  private static Map<String, String> labels(String ns, ObjectReference ref, PodLabels pods) {
    if (ref == null || !"Pod".equals(ref.getKind()) || ref.getName() == null) {
      return Map.of();
    }
    String podNs = ref.getNamespace() == null ? ns : ref.getNamespace();
    Map<String, String> labels = pods.of(podNs, ref.getName());
    if (labels == null || labels.isEmpty()) {
      return Map.of();
    }
    Map<String, String> copy = new HashMap<>();
    labels.forEach(
        (k, v) -> {
          if (k != null && !k.isBlank() && v != null) {
            copy.put(k, v);
          }
        });
    return copy;
  }
}
