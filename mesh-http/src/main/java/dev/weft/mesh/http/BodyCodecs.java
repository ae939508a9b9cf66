package dev.weft.mesh.http;

import com.fasterxml.jackson.databind.ObjectMapper;

/** Ready-made {@link BodyCodec}s. */
public final class BodyCodecs {

  /**
   * JSON with a Jackson {@code ObjectMapper} that finds the modules on the class path (java.time,
   * Java 8 types) and ignores unknown properties, so services can add fields without breaking
   * callers.
   *
   * @throws IllegalStateException if jackson-databind is not on the class path
   */
  public static BodyCodec json() {
    try {
      return JacksonHolder.DEFAULT;
    } catch (NoClassDefFoundError e) {
      throw new IllegalStateException(
          "the default JSON codec needs com.fasterxml.jackson.core:jackson-databind on the class path; "
              + "add it, or pass your own BodyCodec to MeshHttpClient.client(type, codec)",
          e);
    }
  }

  /** JSON with the given Jackson mapper. */
  public static BodyCodec json(ObjectMapper mapper) {
    return new JacksonBodyCodec(mapper);
  }

  private static final class JacksonHolder {
    static final BodyCodec DEFAULT = JacksonBodyCodec.withDefaults();
  }

  private BodyCodecs() {}
}
