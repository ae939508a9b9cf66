package dev.weft.mesh.config.file;

import org.yaml.snakeyaml.error.Mark;

/**
 * Where something is in a YAML file: its path in the file's own terms (for example {@code
 * clusters.reviews.endpoints[1].weight}) and the line and column, both counted from 1, of the key
 * or list item that holds it.
 */
record Location(String yamlPath, int line, int column) {
  static Location of(String yamlPath, Mark mark) {
    return new Location(yamlPath, mark.getLine() + 1, mark.getColumn() + 1);
  }

  /** The start of the file. */
  static Location root() {
    return new Location("", 1, 1);
  }

  /** {@code source:line:column}. */
  String describe(String source) {
    return source + ":" + line + ":" + column;
  }

  /**
   * The same place in the file, reported under another path (for keys that the file leaves out).
   */
  Location withPath(String newPath) {
    return new Location(newPath, line, column);
  }

  /**
   * The path of {@code key} in the mapping at {@code parent}; keys that would be ambiguous are
   * quoted.
   */
  static String child(String parent, String key) {
    if (!isPlain(key)) {
      return parent + "[\"" + key.replace("\\", "\\\\").replace("\"", "\\\"") + "\"]";
    }
    return parent.isEmpty() ? key : parent + "." + key;
  }

  private static boolean isPlain(String key) {
    if (key.isEmpty()) {
      return false;
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      boolean plain =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '-'
              || c == '/'
              || c == ':'
              || c == '@'
              || c == '+';
      if (!plain) {
        return false;
      }
    }
    return true;
  }

  /** The path of item {@code index} in the list at {@code parent}. */
  static String item(String parent, int index) {
    return parent + "[" + index + "]";
  }
}
