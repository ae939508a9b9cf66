package dev.weft.mesh.api.config;

import dev.weft.mesh.api.internal.Checks;

/**
 * Where an endpoint runs, as Envoy and Kubernetes describe it. Empty strings mean "unspecified".
 *
 * @param region the region, for example {@code us-east1}
 * @param zone the zone within the region, for example {@code us-east1-b}
 * @param subZone a finer grouping within the zone (a rack, a node pool)
 */
public record Locality(String region, String zone, String subZone) {
  /** The locality of endpoints that do not declare one. */
  public static final Locality UNSPECIFIED = new Locality("", "", "");

  public Locality {
    Checks c = Checks.start();
    c.notNull(region, "region");
    c.notNull(zone, "zone");
    c.notNull(subZone, "subZone");
    c.throwIfAny();
  }

  /** {@code region/zone/subZone}, the form used in logs and the config dump. */
  @Override
  public String toString() {
    return region + "/" + zone + "/" + subZone;
  }
}
