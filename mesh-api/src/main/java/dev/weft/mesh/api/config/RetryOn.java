package dev.weft.mesh.api.config;

import java.util.Locale;
import java.util.Optional;

/**
 * An outcome that a retry policy may retry on, named as in Envoy's {@code retry_on} (for HTTP) and
 * {@code x-envoy-retry-grpc-on} (for gRPC), so that configurations carry over.
 */
public enum RetryOn {
  /** Any HTTP 5xx response, a reset, or a connection failure. */
  FIVE_XX("5xx"),
  /** HTTP 502, 503 or 504, or a connection failure. */
  GATEWAY_ERROR("gateway-error"),
  /** The connection was reset or closed before a response. */
  RESET("reset"),
  /** A connection could not be established. */
  CONNECT_FAILURE("connect-failure"),
  /** The server refused the stream before processing it (HTTP/2 REFUSED_STREAM). */
  REFUSED_STREAM("refused-stream"),
  /** HTTP 409. */
  RETRIABLE_4XX("retriable-4xx"),
  /** The HTTP statuses listed in the policy's {@code retriableStatusCodes}. */
  RETRIABLE_STATUS_CODES("retriable-status-codes"),
  /** gRPC CANCELLED. */
  CANCELLED("cancelled"),
  /** gRPC DEADLINE_EXCEEDED. */
  DEADLINE_EXCEEDED("deadline-exceeded"),
  /** gRPC INTERNAL. */
  INTERNAL("internal"),
  /** gRPC RESOURCE_EXHAUSTED. */
  RESOURCE_EXHAUSTED("resource-exhausted"),
  /** gRPC UNAVAILABLE. */
  UNAVAILABLE("unavailable");

  private final String configName;

  RetryOn(String configName) {
    this.configName = configName;
  }

  /** The name used in configuration files and xDS, for example {@code gateway-error}. */
  public String configName() {
    return configName;
  }

  /** The condition with this configuration name, ignoring case. */
  public static Optional<RetryOn> fromConfigName(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    for (RetryOn r : values()) {
      if (r.configName.equals(n)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }
}
