package dev.weft.mesh.core;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One configuration update the mesh applied or refused, as {@link Mesh#recentConfigUpdates()}
 * remembers it.
 *
 * @param time when the mesh applied or refused it (from the mesh's clock)
 * @param version the update's version; empty when the source failed before it had one (a file that
 *     does not parse, an update the control plane sent incomplete)
 * @param accepted whether it is (or was) in force
 * @param detail for an accepted update, a summary (services and clusters); for a refused one, the
 *     reason, as the error said it
 */
public record ConfigUpdate(Instant time, String version, boolean accepted, String detail) {
  public ConfigUpdate {
    requireNonNull(time, "time");
    requireNonNull(version, "version");
    requireNonNull(detail, "detail");
  }
}
