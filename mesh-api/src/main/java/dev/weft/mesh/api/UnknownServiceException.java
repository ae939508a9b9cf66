package dev.weft.mesh.api;

import java.util.List;

/** A call named a service that the configuration in force does not know. */
public final class UnknownServiceException extends MeshException {
  private static final long serialVersionUID = 1L;

  private final String service;
  private final transient List<String> knownServices;

  public UnknownServiceException(String service, List<String> knownServices) {
    super(
        Reason.UNKNOWN_SERVICE,
        "unknown service '"
            + service
            + "'; the mesh configuration knows "
            + describe(knownServices));
    this.service = service;
    this.knownServices = List.copyOf(knownServices);
  }

  private static String describe(List<String> known) {
    if (known.isEmpty()) {
      return "no services at all";
    }
    return known.size() <= 50
        ? known.toString()
        : known.subList(0, 50) + " and " + (known.size() - 50) + " more";
  }

  /** The name the call used. */
  public String service() {
    return service;
  }

  /** The services the configuration knows, sorted. */
  public List<String> knownServices() {
    return knownServices;
  }
}
