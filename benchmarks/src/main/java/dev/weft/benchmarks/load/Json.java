package dev.weft.benchmarks.load;

import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/** Just enough JSON to print one flat-or-nested result line per study. */
final class Json {
  private Json() {}

  static String of(Map<String, ?> map) {
    StringBuilder sb = new StringBuilder();
    write(sb, map);
    return sb.toString();
  }

  private static void write(StringBuilder sb, Object v) {
    if (v instanceof Map<?, ?> m) {
      sb.append('{');
      Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<?, ?> e = it.next();
        sb.append('"').append(e.getKey()).append("\":");
        write(sb, e.getValue());
        if (it.hasNext()) {
          sb.append(',');
        }
      }
      sb.append('}');
    } else if (v instanceof Double d) {
      sb.append(d.isNaN() || d.isInfinite() ? "null" : String.format(Locale.ROOT, "%.3f", d));
    } else if (v instanceof Number || v instanceof Boolean) {
      sb.append(v);
    } else if (v == null) {
      sb.append("null");
    } else {
      sb.append('"').append(v.toString().replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
  }
}
