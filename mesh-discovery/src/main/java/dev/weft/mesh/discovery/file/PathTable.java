package dev.weft.mesh.discovery.file;

import java.util.HashMap;
import java.util.Map;

/**
 * Model paths, as the config records name them in their violations ({@code services[0].routes[1].timeout},
 * relative to the record that was built), mapped to where they are in the file. Paths the file
 * leaves out resolve to the nearest enclosing path that it has.
 */
final class PathTable {
  private final Map<String, Location> entries = new HashMap<>();

  void put(String modelPath, Location location) {
    entries.put(modelPath, location);
  }

  /** Adds every entry of {@code nested} under {@code prefix}, keeping entries already here. */
  void putAll(String prefix, PathTable nested) {
    nested.entries.forEach((path, location) -> entries.putIfAbsent(join(prefix, path), location));
  }

  /**
   * Where {@code modelPath} is in the file. When the file does not have that path, the nearest
   * enclosing path that it has gives the line and column, and the rest of the model path is appended
   * to its YAML path. Null only when not even the empty path is in the table.
   */
  Location resolve(String modelPath) {
    String p = modelPath;
    while (true) {
      Location found = entries.get(p);
      if (found != null) {
        String rest = modelPath.substring(p.length());
        if (rest.isEmpty()) {
          return found;
        }
        String yamlPath = found.yamlPath().isEmpty() && rest.startsWith(".") ? rest.substring(1) : found.yamlPath() + rest;
        return found.withPath(yamlPath);
      }
      if (p.isEmpty()) {
        return null;
      }
      p = parent(p);
    }
  }

  private static String parent(String path) {
    int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
    return cut <= 0 ? "" : path.substring(0, cut);
  }

  static String join(String prefix, String path) {
    if (prefix.isEmpty()) {
      return path;
    }
    if (path.isEmpty()) {
      return prefix;
    }
    return path.startsWith("[") ? prefix + path : prefix + "." + path;
  }
}
