package dev.weft.mesh.api.spi;

/**
 * Where a mesh gets its configuration: a file, an xDS control plane, code. A source delivers whole
 * {@link dev.weft.mesh.api.config.MeshConfig} snapshots, never fragments.
 *
 * <p>Threading: {@link #start} is called once. The source calls its listener serially (never two
 * calls at once) from a thread of its own choosing; the listener never blocks for long.
 */
public interface ConfigSource extends AutoCloseable {

  /**
   * Begins delivering configuration to {@code listener}. A source that can read its configuration
   * at once (a file) delivers the first snapshot, or throws the {@link
   * dev.weft.mesh.api.config.InvalidConfigException} that rejects it, before returning, so that a
   * broken configuration fails start-up. A remote source may deliver later.
   *
   * @throws dev.weft.mesh.api.config.InvalidConfigException if the initial configuration is invalid
   */
  void start(ConfigListener listener);

  /**
   * A short description for logs and the config dump, for example {@code file:/etc/weft/mesh.yaml}.
   */
  String description();

  /**
   * What the source is doing, as plain data (strings, numbers, booleans, lists and maps) for the
   * config dump and status pages: for xDS the connection and, per resource type, the version, nonce
   * and resources in force (after CSDS). The default says nothing more than {@link #description()}.
   */
  default java.util.Map<String, Object> status() {
    return java.util.Map.of();
  }

  /**
   * What the source is still waiting for before it can deliver a first configuration, in words for
   * an error message: which resources, from which server or file, and since when. A mesh puts it in
   * the {@code NOT_READY} failure of a call that waited in vain. Called from any thread; must be
   * quick and must not throw. The default names the source's {@linkplain #description()
   * description}.
   */
  default String awaiting() {
    return "the first configuration from " + description();
  }

  /**
   * What the mesh does until the first configuration arrives; {@link StartupMode#WAIT} by default.
   */
  default StartupMode startupMode() {
    return StartupMode.WAIT;
  }

  /**
   * Stops delivering and releases what the source holds (watchers, threads, streams). Idempotent.
   */
  @Override
  void close();
}
