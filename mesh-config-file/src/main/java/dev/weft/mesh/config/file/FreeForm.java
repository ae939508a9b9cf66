package dev.weft.mesh.config.file;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Converts free-form YAML (load-balancing options) to plain values, for {@link Fields#freeForm}. A
 * node met again through an alias, anywhere in the file, is converted once and shared, while its
 * expanded size still counts against the file's value budget, so an alias bomb is refused quickly
 * instead of being expanded.
 */
final class FreeForm {
  /** How deep free-form values (load-balancing options) may nest. */
  private static final int MAX_FREE_FORM_DEPTH = 32;

  private final ReadContext ctx;
  private final PathTable table;

  /** The record's reported fields, to which a problem inside a value adds the value's field. */
  private final Set<String> failed;

  private final Set<Node> enclosing = Collections.newSetFromMap(new IdentityHashMap<>());
  private long size;

  FreeForm(ReadContext ctx, PathTable table, Set<String> failed) {
    this.ctx = ctx;
    this.table = table;
    this.failed = failed;
  }

  Object convert(Node node, Location at, String model, int depth) {
    ReadContext.Converted again = ctx.converted(node);
    if (again != null) {
      ctx.visit(again.size());
      size += again.size();
      return again.value();
    }
    long before = size;
    Object value = convertOnce(node, at, model, depth);
    if (!(node instanceof ScalarNode)) {
      ctx.converted(node, new ReadContext.Converted(value, size - before));
    }
    return value;
  }

  private Object convertOnce(Node node, Location at, String model, int depth) {
    size++;
    if (!ctx.plain(node, at)) {
      failed.add(model);
      return null;
    }
    if (node instanceof ScalarNode scalar) {
      try {
        return Scalars.plain(scalar);
      } catch (IllegalArgumentException e) {
        failed.add(model);
        ctx.problem(at, e.getMessage());
        return null;
      }
    }
    if (depth >= MAX_FREE_FORM_DEPTH) {
      failed.add(model);
      ctx.problem(at, "nests deeper than " + MAX_FREE_FORM_DEPTH + " levels");
      return null;
    }
    if (!enclosing.add(node)) {
      failed.add(model);
      ctx.problem(at, "contains itself through an alias");
      return null;
    }
    try {
      if (node instanceof SequenceNode sequence) {
        List<Node> items = sequence.getValue();
        List<Object> list = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
          Node item = items.get(i);
          String itemModel = model + "[" + i + "]";
          Location itemAt = Location.of(Location.item(at.yamlPath(), i), item.getStartMark());
          table.put(itemModel, itemAt);
          list.add(convert(item, itemAt, itemModel, depth + 1));
        }
        return Collections.unmodifiableList(list);
      }
      Map<String, Object> map = new LinkedHashMap<>();
      for (Fields.Entry e : Fields.entries(ctx, (MappingNode) node, at.yamlPath())) {
        String entryModel = model + "." + e.key();
        table.put(entryModel, e.at());
        map.put(e.key(), convert(e.value(), e.at(), entryModel, depth + 1));
      }
      return Collections.unmodifiableMap(map);
    } finally {
      enclosing.remove(node);
    }
  }
}
