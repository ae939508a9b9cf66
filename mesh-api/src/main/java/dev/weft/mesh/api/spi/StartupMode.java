package dev.weft.mesh.api.spi;

/**
 * What a mesh does before its {@link ConfigSource} has delivered a first configuration. A source
 * reports its mode through {@link ConfigSource#startupMode()}; sources that can be configured take
 * it on their builders ({@code FileConfigSource.Builder.startupMode}, {@code
 * XdsConfigSource.Builder.startupMode}).
 *
 * <p>A new source documents which modes it supports, rejects the others when it is built, and
 * explains in {@link ConfigSource#awaiting()} what it is still waiting for.
 */
public enum StartupMode {
  /**
   * The default of {@link ConfigSource#startupMode()} (and of the xDS source without a cache
   * directory; the file source defaults to {@link #FAIL_FAST}). Calls made before the first
   * configuration wait for it (without blocking their thread), bounded by their deadline, or by the
   * mesh's startup wait when they have none, and then fail with {@code NOT_READY} naming what the
   * source waits for.
   */
  WAIT,

  /**
   * No waiting: {@code Mesh.Builder.build()} fails with {@code NOT_READY} when the source has no
   * configuration within the mesh's startup wait (at once for a source that reads locally, such as
   * a missing file), and a call made while no configuration is in force fails at once with {@code
   * NOT_READY}. For processes that should rather not start than start without a configuration.
   */
  FAIL_FAST,

  /**
   * Start from a copy kept on disk when the origin is unreachable, and say so in the source's
   * status and logs; calls wait as in {@link #WAIT} until either the copy or the origin delivers.
   * Only sources that keep such a copy (the xDS source with a cache directory) support it.
   */
  SERVE_CACHED;

  /** The mode's name in configuration files and properties: {@code wait}, {@code fail-fast}... */
  public String configName() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  /**
   * The mode named {@code name} ({@code wait}, {@code fail-fast}, {@code serve-cached}; case and
   * {@code _} or {@code -} do not matter).
   *
   * @throws IllegalArgumentException naming the modes when {@code name} is none of them
   */
  public static StartupMode fromConfigName(String name) {
    String n = name.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    for (StartupMode m : values()) {
      if (m.name().equals(n)) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "unknown startup mode '" + name + "'; expected wait, fail-fast or serve-cached");
  }
}
