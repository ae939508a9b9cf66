package dev.weft.mesh.core;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.spi.ConfigListener;
import dev.weft.mesh.api.spi.ConfigSource;
import dev.weft.mesh.api.spi.StartupMode;

/**
 * A configuration given in code. {@link #update} replaces it at run time, which makes this the
 * config source of choice for tests: an update the mesh rejects throws at once. A {@linkplain
 * #pending() pending} source has no configuration until its first {@link #update}, like a remote
 * source whose origin has not answered yet.
 */
public final class StaticConfigSource implements ConfigSource {
  private final StartupMode startupMode;
  private volatile MeshConfig config;
  private volatile ConfigListener listener;

  public StaticConfigSource(MeshConfig config) {
    this(requireNonNull(config, "config"), StartupMode.WAIT);
  }

  private StaticConfigSource(MeshConfig config, StartupMode startupMode) {
    this.config = config;
    this.startupMode = startupMode;
  }

  /** A source without a configuration until the first {@link #update}; calls wait for it. */
  public static StaticConfigSource pending() {
    return pending(StartupMode.WAIT);
  }

  /**
   * A source without a configuration until the first {@link #update}, in {@code startupMode}:
   * {@link StartupMode#WAIT} or {@link StartupMode#FAIL_FAST} (it keeps no copy to serve).
   */
  public static StaticConfigSource pending(StartupMode startupMode) {
    requireNonNull(startupMode, "startupMode");
    if (startupMode == StartupMode.SERVE_CACHED) {
      throw new IllegalArgumentException(
          "a static config source keeps no copy to serve; use wait or fail-fast");
    }
    return new StaticConfigSource(null, startupMode);
  }

  @Override
  public void start(ConfigListener newListener) {
    this.listener = requireNonNull(newListener, "listener");
    MeshConfig c = config;
    if (c != null) {
      newListener.onConfig(c);
    }
  }

  @Override
  public String awaiting() {
    return config == null
        ? "a configuration given in code (StaticConfigSource.update has not been called)"
        : "nothing (it has a configuration)";
  }

  @Override
  public StartupMode startupMode() {
    return startupMode;
  }

  /**
   * Delivers a new configuration to the mesh.
   *
   * @throws dev.weft.mesh.api.config.InvalidConfigException if the mesh rejects it (the previous
   *     configuration stays in force)
   */
  public synchronized void update(MeshConfig newConfig) {
    requireNonNull(newConfig, "newConfig");
    ConfigListener l = listener;
    if (l == null) {
      this.config = newConfig;
      return;
    }
    l.onConfig(newConfig);
    this.config = newConfig;
  }

  @Override
  public String description() {
    return "static";
  }

  @Override
  public void close() {
    listener = null;
  }
}
