package dev.weft.mesh.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;
import java.util.Map;

/** Kubernetes resources as the controllers would write them. */
final class Resources {
  private Resources() {}

  static Service service(String name, int port) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("default")
        .endMetadata()
        .withNewSpec()
        .addNewPort()
        .withName("http")
        .withPort(port)
        .endPort()
        .endSpec()
        .build();
  }

  static Pod pod(String name, Map<String, String> labels) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("default")
        .withLabels(labels)
        .endMetadata()
        .build();
  }

  /** An endpoint for pod {@code pod} at {@code ip}: ready, or serving and terminating. */
  static Endpoint endpoint(String pod, String ip, boolean terminating) {
    return new EndpointBuilder()
        .withAddresses(ip)
        .withNewConditions()
        .withReady(!terminating)
        .withServing(true)
        .withTerminating(terminating)
        .endConditions()
        .withZone("zone-a")
        .withNodeName("node-1")
        .withNewTargetRef()
        .withKind("Pod")
        .withName(pod)
        .withNamespace("default")
        .endTargetRef()
        .build();
  }

  static EndpointSlice slice(String name, String service, int port, List<Endpoint> endpoints) {
    return new EndpointSliceBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("default")
        .withLabels(Map.of("kubernetes.io/service-name", service))
        .endMetadata()
        .withAddressType("IPv4")
        .addNewPort()
        .withName("http")
        .withPort(port)
        .withProtocol("TCP")
        .endPort()
        .withEndpoints(endpoints)
        .build();
  }
}
