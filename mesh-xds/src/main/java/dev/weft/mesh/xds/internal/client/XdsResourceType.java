package dev.weft.mesh.xds.internal.client;

import com.google.protobuf.Any;

/**
 * One kind of xDS resource (listeners, route configurations, clusters, endpoints): its type URL and
 * how one resource parses into an immutable value. The client machinery ({@link XdsClient}) knows
 * only this interface; what a resource means lives in the implementation.
 *
 * <p>The client tells types apart by identity: one instance per type, for as long as it is watched.
 *
 * <p>Threading: {@link #parse} is called on the client's work thread and must not block.
 *
 * @param <T> the parsed, validated value
 */
public interface XdsResourceType<T> {

  /** The type URL, for example {@code type.googleapis.com/envoy.config.cluster.v3.Cluster}. */
  String typeUrl();

  /** A short name for logs, errors and metrics, for example {@code Cluster}. */
  String shortName();

  /**
   * Whether a state-of-the-world response carries every subscribed resource of this type, so that
   * one missing from it no longer exists (true for listeners and clusters, false for route
   * configurations and endpoints).
   */
  boolean allResourcesRequired();

  /**
   * Parses one resource. Never throws: a resource that cannot be used is returned as {@link
   * Parsed#invalid} with an error naming the field, and with its name when it can be read.
   */
  Parsed<T> parse(Any resource);

  /**
   * The result of parsing one resource.
   *
   * @param name the resource name, or empty when even that could not be read
   * @param value the value, or null when invalid
   * @param error what is wrong (naming the field), or null when valid
   */
  record Parsed<T>(String name, T value, String error) {
    public static <T> Parsed<T> valid(String name, T value) {
      return new Parsed<>(name, value, null);
    }

    public static <T> Parsed<T> invalid(String name, String error) {
      return new Parsed<>(name, null, error);
    }

    public boolean isValid() {
      return error == null;
    }
  }
}
