package dev.weft.mesh.xds;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import java.time.Duration;

/** Small conversions from Envoy protos shared by the resource parsers. */
final class Protos {
  /**
   * Longer durations are taken as this long: effectively forever, and safe from overflow in
   * nanosecond arithmetic.
   */
  static final Duration MAX_DURATION = Duration.ofDays(100);

  private Protos() {}

  static Duration duration(com.google.protobuf.Duration d, String field) {
    if (d.getSeconds() < 0 || d.getNanos() < 0) {
      throw FieldException.of(field, "must not be negative, was %ss", d.getSeconds());
    }
    if (d.getSeconds() >= MAX_DURATION.getSeconds()) {
      return MAX_DURATION;
    }
    return Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }

  /** A fraction as a percentage from 0 to 100. */
  static double percent(FractionalPercent p) {
    double denominator =
        switch (p.getDenominator()) {
          case HUNDRED -> 100;
          case TEN_THOUSAND -> 10_000;
          case MILLION -> 1_000_000;
          default -> 100;
        };
    return Math.min(100.0, p.getNumerator() * 100.0 / denominator);
  }

  static <T extends Message> T unpack(Any any, Class<T> type, String field) {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw FieldException.of(
          field, "cannot be read as %s: %s", type.getSimpleName(), e.getMessage());
    }
  }

  /** The message name of a type URL, for example {@code envoy.config.cluster.v3.Cluster}. */
  static String typeName(String typeUrl) {
    return typeUrl.substring(typeUrl.lastIndexOf('/') + 1);
  }
}
