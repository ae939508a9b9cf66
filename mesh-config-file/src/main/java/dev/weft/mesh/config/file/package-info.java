/**
 * Mesh configuration from a YAML file.
 *
 * <p>{@link dev.weft.mesh.config.file.MeshConfigYaml} reads a file into a {@link
 * dev.weft.mesh.api.config.MeshConfig}, reporting every problem with its {@code file:line:column},
 * and writes a configuration back as YAML. {@link dev.weft.mesh.config.file.FileConfigSource} is a
 * {@link dev.weft.mesh.api.spi.ConfigSource} that reads the file at start-up and delivers it again
 * whenever it changes. The format is described in {@code docs/config-reference.md}.
 */
package dev.weft.mesh.config.file;
