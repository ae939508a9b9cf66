package dev.weft.mesh.grpc;

import io.grpc.Metadata;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.ArrayList;
import java.util.List;

/** Reads and writes OpenTelemetry propagation fields in gRPC metadata (ASCII keys only). */
final class MetadataCarrier {
  static final TextMapSetter<Metadata> SETTER =
      (carrier, key, value) -> {
        if (carrier != null) {
          Metadata.Key<String> k = Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER);
          carrier.discardAll(k);
          carrier.put(k, value);
        }
      };

  static final TextMapGetter<Metadata> GETTER =
      new TextMapGetter<>() {
        @Override
        @SuppressWarnings(
            "deprecation") // still the method propagators call to list the carrier's keys
        public Iterable<String> keys(Metadata carrier) {
          List<String> keys = new ArrayList<>();
          for (String k : carrier.keys()) {
            if (!k.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
              keys.add(k);
            }
          }
          return keys;
        }

        @Override
        public String get(Metadata carrier, String key) {
          if (carrier == null) {
            return null;
          }
          return ascii(carrier, key);
        }
      };

  /** The last value of an ASCII key, or null (also for binary keys, which hold no text). */
  static String ascii(Metadata metadata, String lowerCaseName) {
    if (lowerCaseName.endsWith(Metadata.BINARY_HEADER_SUFFIX) || lowerCaseName.startsWith(":")) {
      return null;
    }
    try {
      return metadata.get(Metadata.Key.of(lowerCaseName, Metadata.ASCII_STRING_MARSHALLER));
    } catch (IllegalArgumentException invalidName) {
      return null;
    }
  }

  private MetadataCarrier() {}
}
