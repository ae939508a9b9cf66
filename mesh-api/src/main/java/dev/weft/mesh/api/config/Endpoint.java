package dev.weft.mesh.api.config;

import dev.weft.mesh.api.internal.Checks;
import java.util.Map;

/**
 * One network address that serves a cluster.
 *
 * @param host an IP address or host name
 * @param port the TCP port, 1 to 65535
 * @param weight the relative share of traffic this endpoint receives within its locality, at least
 *     1
 * @param locality where the endpoint runs
 * @param priority 0 for the preferred level; traffic moves to higher numbers as lower levels lose
 *     health
 * @param health the health reported by the config source
 * @param labels metadata used to select subsets, for example {@code version: v2}
 */
public record Endpoint(
    String host,
    int port,
    int weight,
    Locality locality,
    int priority,
    HealthStatus health,
    Map<String, String> labels) {

  public static final int DEFAULT_WEIGHT = 1;

  public Endpoint {
    labels = Checks.map(labels);
    Checks c = Checks.start();
    c.name(host, "host");
    c.require(port >= 1 && port <= 65535, "port", "must be from 1 to 65535, was %d", port);
    c.require(weight >= 1, "weight", "must be at least 1, was %d", weight);
    c.notNull(locality, "locality");
    c.require(priority >= 0, "priority", "must not be negative, was %d", priority);
    c.notNull(health, "health");
    labels.forEach(
        (k, v) -> {
          c.require(k != null && !k.isBlank(), "labels", "label names must not be blank");
          c.require(v != null, "labels." + k, "must not be null");
        });
    c.throwIfAny();
  }

  /** An endpoint with default weight, locality, priority and health, and no labels. */
  public static Endpoint of(String host, int port) {
    return builder(host, port).build();
  }

  public static Builder builder(String host, int port) {
    return new Builder(host, port);
  }

  /** {@code host:port}, with IPv6 literals in brackets. */
  public String address() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }

  public Builder toBuilder() {
    return new Builder(host, port)
        .weight(weight)
        .locality(locality)
        .priority(priority)
        .health(health)
        .labels(labels);
  }

  /** Builds an {@link Endpoint}; {@link #build()} validates. */
  public static final class Builder {
    private final String host;
    private final int port;
    private int weight = DEFAULT_WEIGHT;
    private Locality locality = Locality.UNSPECIFIED;
    private int priority;
    private HealthStatus health = HealthStatus.UNKNOWN;
    private Map<String, String> labels = Map.of();

    private Builder(String host, int port) {
      this.host = host;
      this.port = port;
    }

    public Builder weight(int weight) {
      this.weight = weight;
      return this;
    }

    public Builder locality(Locality locality) {
      this.locality = locality;
      return this;
    }

    public Builder priority(int priority) {
      this.priority = priority;
      return this;
    }

    public Builder health(HealthStatus health) {
      this.health = health;
      return this;
    }

    public Builder labels(Map<String, String> labels) {
      this.labels = labels;
      return this;
    }

    public Endpoint build() {
      return new Endpoint(host, port, weight, locality, priority, health, labels);
    }
  }
}
