package dev.weft.mesh.config.file;

import dev.weft.mesh.api.config.ConfigViolation;
import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.config.MeshConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * A configuration read from a file, with where each of its model paths is in the file, so that
 * problems found later (by the mesh that applies it) can be reported at file locations too.
 *
 * @param config the configuration
 * @param table model paths, from the {@link MeshConfig} down, to file locations
 * @param source the file's name, as locations give it
 */
record ParsedConfig(MeshConfig config, PathTable table, String source) {

  /**
   * {@code rejection}, whose violations name model paths such as {@code
   * clusters[2].loadBalancing.options.choiceCount}, with each violation that has no location
   * located in the file and its path given in the file's terms.
   */
  InvalidConfigException locate(InvalidConfigException rejection) {
    List<ConfigViolation> located = new ArrayList<>(rejection.violations().size());
    for (ConfigViolation v : rejection.violations()) {
      if (!v.location().isEmpty()) {
        located.add(v);
        continue;
      }
      Location at = table.resolve(v.path());
      located.add(
          at == null
              ? v.at(source)
              : new ConfigViolation(at.describe(source), at.yamlPath(), v.message()));
    }
    InvalidConfigException result = new InvalidConfigException(source, located);
    result.initCause(rejection);
    return result;
  }
}
