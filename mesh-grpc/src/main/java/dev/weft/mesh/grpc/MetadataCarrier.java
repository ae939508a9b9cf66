package dev.weft.mesh.grpc;

import io.grpc.Metadata;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** Reads and writes OpenTelemetry propagation fields in gRPC metadata (ASCII keys only). */
final class MetadataCarrier {
  static final TextMapSetter<Metadata> SETTER =
      (carrier, key, value) -> {
        if (carrier != null) {
          Metadata.Key<String> k = key(key);
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
    Metadata.Key<String> key;
    try {
      key = key(lowerCaseName);
    } catch (IllegalArgumentException invalidName) {
      return null;
    }
    return metadata.get(key);
  }

  /** The ASCII key of that name, made once. */
  private static Metadata.Key<String> key(String name) {
    Metadata.Key<String> key = KEYS.get(name);
    if (key == null) {
      key = Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
      if (KEYS.size() < MAX_KEYS) {
        KEYS.putIfAbsent(name, key);
      }
    }
    return key;
  }

  /**
   * Keys already made, by name: the names routes match on and the propagation fields, read on every
   * call. Bounded, so that names from elsewhere cannot grow it.
   */
  private static final ConcurrentMap<String, Metadata.Key<String>> KEYS = new ConcurrentHashMap<>();

  private static final int MAX_KEYS = 1024;

  private MetadataCarrier() {}
}
