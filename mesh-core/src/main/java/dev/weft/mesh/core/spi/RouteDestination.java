package dev.weft.mesh.core.spi;

import static java.util.Objects.requireNonNull;

/**
 * One destination of one route: where a {@link CallObserver} learns that a call or attempt went.
 * The mesh creates one per destination when it compiles a configuration, so observing costs no
 * allocation; equal destinations of successive configurations are equal values, so statistics kept
 * by destination survive configuration updates.
 *
 * @param service the service called
 * @param route the route's name
 * @param cluster the destination cluster
 * @param subset the destination subset, or empty
 */
public record RouteDestination(String service, String route, String cluster, String subset) {
  public RouteDestination {
    requireNonNull(service, "service");
    requireNonNull(route, "route");
    requireNonNull(cluster, "cluster");
    requireNonNull(subset, "subset");
  }

  /** {@code cluster} or {@code cluster/subset}. */
  public String target() {
    return subset.isEmpty() ? cluster : cluster + "/" + subset;
  }
}
