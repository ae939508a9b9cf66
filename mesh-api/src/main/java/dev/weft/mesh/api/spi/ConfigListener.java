package dev.weft.mesh.api.spi;

import dev.weft.mesh.api.config.MeshConfig;

/**
 * Receives what a {@link ConfigSource} delivers. Called serially; implementations return quickly.
 */
public interface ConfigListener {

  /**
   * A new configuration, valid as a model, to apply as a whole.
   *
   * @throws dev.weft.mesh.api.config.InvalidConfigException if the mesh rejects it for reasons only
   *     it can check (an unknown load-balancing policy, bad policy options). The violations name
   *     model paths; the source should report them with its own locations (file:line:column, xDS
   *     resource name), as it does its own validation errors, and keep the configuration in force.
   */
  void onConfig(MeshConfig config);

  /**
   * An update was rejected, or the source cannot reach its origin for now. The configuration in
   * force stays in force. For a rejected update {@code error} is an {@link
   * dev.weft.mesh.api.config.InvalidConfigException} that lists every problem.
   */
  void onError(Throwable error);
}
