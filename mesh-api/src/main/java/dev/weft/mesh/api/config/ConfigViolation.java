package dev.weft.mesh.api.config;

import static java.util.Objects.requireNonNull;

/**
 * One problem found in a mesh configuration.
 *
 * @param location where the problem is in its source, for example {@code mesh.yaml:12:7} or {@code
 *     xDS Cluster outbound|9080||ratings}; empty when the configuration was built in code
 * @param path the field path inside the model, for example {@code
 *     clusters.ratings.endpoints[0].weight}
 * @param message what is wrong, phrased so that a user can act on it
 */
public record ConfigViolation(String location, String path, String message) {
  public ConfigViolation {
    requireNonNull(location, "location");
    requireNonNull(path, "path");
    requireNonNull(message, "message");
  }

  /** A violation without a source location, as found by model validation. */
  public static ConfigViolation of(String path, String message) {
    return new ConfigViolation("", path, message);
  }

  /** This violation with its path placed under {@code prefix} (for nested validation). */
  public ConfigViolation under(String prefix) {
    if (prefix.isEmpty()) {
      return this;
    }
    String joined =
        path.isEmpty() ? prefix : (path.startsWith("[") ? prefix + path : prefix + "." + path);
    return new ConfigViolation(location, joined, message);
  }

  /** This violation located at {@code newLocation}. */
  public ConfigViolation at(String newLocation) {
    return new ConfigViolation(newLocation, path, message);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    if (!location.isEmpty()) {
      sb.append(location).append(": ");
    }
    if (!path.isEmpty()) {
      sb.append(path).append(": ");
    }
    return sb.append(message).toString();
  }
}
