package dev.weft.mesh.api.spi;

import dev.weft.mesh.api.config.MeshConfig;

/**
 * Receives what a {@link ConfigSource} delivers. Called serially; implementations return quickly.
 */
public interface ConfigListener {

  /** A new, valid configuration to apply as a whole. */
  void onConfig(MeshConfig config);

  /**
   * An update was rejected, or the source cannot reach its origin for now. The configuration in
   * force stays in force. For a rejected update {@code error} is an
   * {@link dev.weft.mesh.api.config.InvalidConfigException} that lists every problem.
   */
  void onError(Throwable error);
}
