package dev.weft.mesh.kubernetes.internal;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.List;
import java.util.Optional;

/** The ports of a Kubernetes Service, as the translators need them. */
final class ServicePorts {
  private ServicePorts() {}

  static List<ServicePort> of(Service service) {
    if (service.getSpec() == null || service.getSpec().getPorts() == null) {
      return List.of();
    }
    return service.getSpec().getPorts();
  }

  /** The Service port with this number, or the first port when {@code port} is null. */
  static Optional<ServicePort> find(Service service, Integer port) {
    List<ServicePort> ports = of(service);
    if (ports.isEmpty()) {
      return Optional.empty();
    }
    if (port == null) {
      return Optional.of(ports.get(0));
    }
    for (ServicePort p : ports) {
      if (p.getPort() != null && p.getPort().intValue() == port) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  static boolean isFirst(Service service, ServicePort port) {
    List<ServicePort> ports = of(service);
    return !ports.isEmpty() && ports.get(0) == port;
  }

  static String name(ServicePort port) {
    return port.getName() == null ? "" : port.getName();
  }
}
