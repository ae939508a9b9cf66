package dev.weft.mesh.config.file;

import dev.weft.mesh.api.config.MeshConfig;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Writes a {@link MeshConfig} in the canonical full form, walking the schema from {@link
 * MeshSchema#ROOT}: every key written, defaults included, in the order of the reference, sets
 * sorted, durations in their largest exact unit. The text reads back to an equal configuration.
 * Only non-empty free-form values that the model holds more than once (as a file's aliases make it)
 * are written with anchors and aliases; everything else is written out in full.
 */
final class MeshConfigWriter {

  /**
   * Free-form values already converted, by identity: a value the model holds twice (as a file's
   * alias makes it) is written once with an anchor and then as an alias, so that the text stays as
   * small as the file it came from.
   */
  private final Map<Object, Object> converted = new IdentityHashMap<>();

  static String write(MeshConfig config) {
    return yaml().dump(MeshSchema.ROOT.write(config, new MeshConfigWriter()));
  }

  private static Yaml yaml() {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setIndent(2);
    options.setIndicatorIndent(2);
    options.setIndentWithIndicator(true);
    options.setSplitLines(false);
    options.setWidth(Integer.MAX_VALUE);
    options.setAllowUnicode(true);
    // Control characters are written as escapes in a double-quoted string, not as !!binary.
    options.setNonPrintableStyle(DumperOptions.NonPrintableStyle.ESCAPE);
    return new Yaml(options);
  }

  /**
   * A free-form value as YAML can hold it; the reader gives back Integer, Long, Double, Boolean,
   * String, List and Map.
   */
  Object plain(Object value, String path) {
    if (value == null
        || value instanceof String
        || value instanceof Boolean
        || value instanceof Integer
        || value instanceof Long
        || value instanceof Double
        || value instanceof BigInteger) {
      return value;
    }
    if (value instanceof Short || value instanceof Byte) {
      return ((Number) value).intValue();
    }
    if (value instanceof Float || value instanceof BigDecimal) {
      return ((Number) value).doubleValue();
    }
    Object done = converted.get(value);
    if (done != null) {
      return done;
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      remember(value, out);
      map.forEach((k, v) -> out.put(String.valueOf(k), plain(v, path + "." + k)));
      return out;
    }
    if (value instanceof Collection<?> items) {
      List<Object> out = new ArrayList<>();
      remember(value, out);
      int i = 0;
      for (Object item : items) {
        out.add(plain(item, path + "[" + i++ + "]"));
      }
      return out;
    }
    throw new IllegalArgumentException(
        path
            + " holds a "
            + value.getClass().getName()
            + "; load-balancing options must be plain values (strings, numbers, booleans, lists and maps)");
  }

  /**
   * Remembers a converted container, unless it is empty: empty ones are shared freely and cost
   * nothing to repeat.
   */
  private void remember(Object value, Object out) {
    boolean empty = value instanceof Map<?, ?> m ? m.isEmpty() : ((Collection<?>) value).isEmpty();
    if (!empty) {
      converted.put(value, out);
    }
  }

  private MeshConfigWriter() {}
}
