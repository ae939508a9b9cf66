package dev.weft.mesh.config.file;

import java.util.HashMap;
import java.util.Map;

/**
 * Model paths, as the config records name them in their violations ({@code
 * services[0].routes[1].timeout}, relative to the record that was built), mapped to where they are
 * in the file. Paths the file leaves out resolve to the nearest enclosing path that it has.
 *
 * <p>The table of a record holds its own fields and, by reference, the tables of the records nested
 * in it, so that building the table of a whole file copies nothing.
 */
final class PathTable {
  private final Map<String, Location> entries = new HashMap<>();
  private final Map<String, PathTable> nested = new HashMap<>();

  void put(String modelPath, Location location) {
    entries.put(modelPath, location);
  }

  /** Adds the table of a nested record, whose paths are relative to {@code prefix}. */
  void putAll(String prefix, PathTable table) {
    nested.putIfAbsent(prefix, table);
  }

  /**
   * Where {@code modelPath} is in the file. When the file does not have that path, the nearest
   * enclosing path that it has gives the line and column, and the rest of the model path is
   * appended to its YAML path. Null only when not even the empty path is in the table.
   */
  Location resolve(String modelPath) {
    Location exact = entries.get(modelPath);
    if (exact != null) {
      return exact;
    }
    for (int end = modelPath.length(); end > 0; end = boundaryBefore(modelPath, end)) {
      PathTable table = nested.get(modelPath.substring(0, end));
      if (table != null) {
        String rest =
            end == modelPath.length()
                ? ""
                : modelPath.substring(modelPath.charAt(end) == '.' ? end + 1 : end);
        Location found = table.resolve(rest);
        if (found != null) {
          return found;
        }
      }
    }
    int end = modelPath.length();
    while (true) {
      end = boundaryBefore(modelPath, end);
      Location found = entries.get(modelPath.substring(0, end));
      if (found != null) {
        String rest = modelPath.substring(end);
        if (end == 0 && !rest.startsWith("[")) {
          rest = "." + rest;
        }
        String yamlPath =
            found.yamlPath().isEmpty() && rest.startsWith(".")
                ? rest.substring(1)
                : found.yamlPath() + rest;
        return found.withPath(yamlPath);
      }
      if (end == 0) {
        return null;
      }
    }
  }

  /** The index of the last '.' or '[' before {@code end} that starts a path segment, or 0. */
  private static int boundaryBefore(String path, int end) {
    for (int i = end - 1; i > 0; i--) {
      char c = path.charAt(i);
      if (c == '.' || c == '[') {
        return i;
      }
    }
    return 0;
  }
}
