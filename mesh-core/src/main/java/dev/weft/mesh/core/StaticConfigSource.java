package dev.weft.mesh.core;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.spi.ConfigListener;
import dev.weft.mesh.api.spi.ConfigSource;

/**
 * A configuration given in code. {@link #update} replaces it at run time, which makes this the
 * config source of choice for tests: an update the mesh rejects throws at once.
 */
public final class StaticConfigSource implements ConfigSource {
  private volatile MeshConfig config;
  private volatile ConfigListener listener;

  public StaticConfigSource(MeshConfig config) {
    this.config = requireNonNull(config, "config");
  }

  @Override
  public void start(ConfigListener newListener) {
    this.listener = requireNonNull(newListener, "listener");
    newListener.onConfig(config);
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
