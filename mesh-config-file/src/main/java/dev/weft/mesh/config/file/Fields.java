package dev.weft.mesh.config.file;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The keys of one YAML mapping that stands for one model record, read with their types checked.
 *
 * <p>Every getter records where its value is (a {@link PathTable} from the record's field names to
 * file locations), reports a problem instead of throwing, and returns the default when the value is
 * missing or wrong, so that reading goes on and finds every problem in one pass. {@link #build}
 * then constructs the record and reports the model's own violations at the places they concern,
 * leaving out those that only repeat a problem already reported.
 */
final class Fields {
  private final ReadContext ctx;
  private final Location self;
  private final boolean isMapping;
  private final Map<String, NodeTuple> entries = new HashMap<>();
  private final PathTable table = new PathTable();

  /**
   * Field paths whose value was wrong; model violations at or under them would repeat the report.
   */
  private final Set<String> failed = new HashSet<>();

  /**
   * List fields that lost items to problems; the model's checks of the whole list are unreliable.
   */
  private final Set<String> incomplete = new HashSet<>();

  /**
   * Fields for a record that is not written as a mapping of its own keys (a subset is just its
   * labels; {@code loadBalancing: least_request} is just a policy name).
   */
  static Fields forValue(ReadContext ctx, Location self) {
    return new Fields(ctx, self);
  }

  private Fields(ReadContext ctx, Location self) {
    this.ctx = ctx;
    this.self = self;
    this.isMapping = true;
    table.put("", self);
  }

  /** Reads {@code node}, which {@code self} locates, as a mapping with the {@code known} keys. */
  Fields(ReadContext ctx, Node node, Location self, List<String> known) {
    this.ctx = ctx;
    this.self = self;
    table.put("", self);
    if (!(node instanceof MappingNode map)) {
      this.isMapping = false;
      ctx.problem(
          self,
          "must be a mapping with the keys "
              + String.join(", ", known)
              + "; was "
              + ReadContext.describe(node));
      return;
    }
    this.isMapping = true;
    for (Entry e : entries(ctx, map, self.yamlPath())) {
      if (known.contains(e.key())) {
        entries.put(e.key(), e.tuple());
      } else {
        ctx.problem(e.at(), unknownKey(e.key(), known));
      }
    }
  }

  /** One key of a mapping, with where it is. */
  record Entry(String key, NodeTuple tuple, Location at) {
    Node value() {
      return tuple.getValueNode();
    }
  }

  /**
   * The entries of {@code map} with plain string keys, each key once; reports keys that are not
   * plain strings, merge keys and keys given twice.
   */
  static List<Entry> entries(ReadContext ctx, MappingNode map, String path) {
    List<Entry> result = new ArrayList<>(map.getValue().size());
    Map<String, Integer> firstLine = new HashMap<>();
    for (NodeTuple tuple : map.getValue()) {
      Node keyNode = tuple.getKeyNode();
      Location keyAt = Location.of(path, keyNode.getStartMark());
      if (!ctx.plain(keyNode, keyAt)) {
        continue;
      }
      if (!(keyNode instanceof ScalarNode scalarKey)) {
        ctx.problem(
            keyAt,
            "has a key that is " + ReadContext.describe(keyNode) + "; keys must be plain strings");
        continue;
      }
      String key = scalarKey.getValue();
      Location at = Location.of(Location.child(path, key), keyNode.getStartMark());
      Integer first = firstLine.putIfAbsent(key, at.line());
      if (first != null) {
        ctx.problem(at, "is given twice (first at line " + first + "); give each key once");
        continue;
      }
      result.add(new Entry(key, tuple, at));
    }
    return result;
  }

  static String unknownKey(String key, List<String> known) {
    String shown = ReadContext.quote(key);
    Optional<String> suggestion = Suggestions.closest(key, known);
    if (suggestion.isPresent()) {
      return "unknown key " + shown + "; did you mean '" + suggestion.get() + "'?";
    }
    return "unknown key " + shown + "; the keys here are " + String.join(", ", known);
  }

  Location self() {
    return self;
  }

  ReadContext ctx() {
    return ctx;
  }

  PathTable table() {
    return table;
  }

  boolean has(String key) {
    return entries.containsKey(key);
  }

  /** Where {@code key} is, or, when the file leaves it out, where the enclosing mapping is. */
  Location at(String key) {
    NodeTuple tuple = entries.get(key);
    String path = Location.child(self.yamlPath(), key);
    return tuple == null
        ? self.withPath(path)
        : Location.of(path, tuple.getKeyNode().getStartMark());
  }

  /** Records that model field {@code model} is where {@code location} is. */
  void locate(String model, Location location) {
    table.put(model, location);
  }

  void problem(Location location, String message) {
    ctx.problem(location, message);
  }

  /**
   * Marks {@code model} as already reported, so the model's own checks of it are not reported
   * again.
   */
  void fail(String model) {
    failed.add(model);
  }

  boolean failed(String model) {
    return failed.contains(model);
  }

  /**
   * The value of {@code key}, checked to be plain data with a value; null when the key is left out
   * or wrong (reported). Records the key's location for model field {@code model}.
   */
  Node take(String key, String model, boolean required) {
    Location at = at(key);
    table.put(model, at);
    NodeTuple tuple = entries.get(key);
    if (tuple == null) {
      if (required) {
        failed.add(model);
        if (isMapping) {
          ctx.problem(at, "is required");
        }
      }
      return null;
    }
    Node value = tuple.getValueNode();
    if (!ctx.plain(value, at)) {
      failed.add(model);
      return null;
    }
    if (ReadContext.isNull(value)) {
      failed.add(model);
      ctx.problem(
          at,
          required
              ? "is required but has no value"
              : "has no value; give one, or leave the key out to use the default");
      return null;
    }
    return value;
  }

  /**
   * A scalar value converted by {@code parse}, which reports what is wrong by throwing
   * IllegalArgumentException.
   */
  <T> T scalar(String key, String model, T def, boolean required, Function<Node, T> parse) {
    Node value = take(key, model, required);
    if (value == null) {
      return def;
    }
    try {
      return parse.apply(value);
    } catch (IllegalArgumentException e) {
      failed.add(model);
      ctx.problem(at(key), e.getMessage());
      return def;
    }
  }

  String requiredString(String key, String model) {
    return scalar(key, model, null, true, Scalars::text);
  }

  long longInteger(String key, String model, long def, boolean required) {
    return scalar(key, model, def, required, n -> Scalars.whole(n, Long.MIN_VALUE, Long.MAX_VALUE));
  }

  static <E extends Enum<E>> E parseEnum(String text, Class<E> type) {
    List<String> names = new ArrayList<>();
    for (E constant : type.getEnumConstants()) {
      String name = constant.name().toLowerCase(Locale.ROOT);
      if (name.equalsIgnoreCase(text.trim())) {
        return constant;
      }
      names.add(name);
    }
    String hint =
        Suggestions.closest(text, names).map(s -> " (did you mean '" + s + "'?)").orElse("");
    throw new IllegalArgumentException(
        "must be one of " + String.join(", ", names) + "; was " + ReadContext.quote(text) + hint);
  }

  /** The items of the list at {@code key}, or null when left out or not a list (reported). */
  List<Node> list(String key, String model, boolean required) {
    Node value = take(key, model, required);
    if (value == null) {
      return null;
    }
    if (!(value instanceof SequenceNode sequence)) {
      failed.add(model);
      ctx.problem(at(key), "must be a list, was " + ReadContext.describe(value));
      return null;
    }
    return sequence.getValue();
  }

  Location itemAt(String key, int index, Node item) {
    return Location.of(
        Location.item(Location.child(self.yamlPath(), key), index), item.getStartMark());
  }

  /** Reads one list item or mapping value into a record; null when it has problems (reported). */
  @FunctionalInterface
  interface ItemReader<T> {
    Read<T> read(int index, Node node, Location at);
  }

  /** Reads the value of one named entry (a service, a cluster, a subset) into a record. */
  @FunctionalInterface
  interface NamedReader<T> {
    Read<T> read(String name, Node node, Location at);
  }

  /** A record read from the file, or null when it had problems, with where its fields are. */
  record Read<T>(T value, PathTable table) {}

  <T> Read<T> done(T value) {
    return new Read<>(value, table);
  }

  /**
   * Each item of the list at {@code key} read by {@code reader}; items with problems are left out.
   */
  <T> List<T> items(String key, String model, boolean required, ItemReader<T> reader) {
    List<Node> nodes = list(key, model, required);
    if (nodes == null) {
      return List.of();
    }
    List<T> result = new ArrayList<>(nodes.size());
    for (int i = 0; i < nodes.size(); i++) {
      Node node = nodes.get(i);
      int index = i;
      add(model, node, itemAt(key, i, node), at -> reader.read(index, node, at), result);
    }
    return result;
  }

  /**
   * Reads one list item or mapping value into {@code into}; one with problems is left out, and the
   * list marked incomplete.
   */
  private <T> void add(
      String model, Node node, Location at, Function<Location, Read<T>> reader, List<T> into) {
    if (!item(node, at)) {
      incomplete.add(model);
      return;
    }
    Read<T> read = reader.apply(at);
    if (read.value() == null) {
      incomplete.add(model);
      return;
    }
    table.putAll(model + "[" + into.size() + "]", read.table());
    into.add(read.value());
  }

  /** Each item of the list at {@code key} as a string. */
  List<String> strings(String key, String model, List<String> def) {
    List<Node> nodes = list(key, model, false);
    if (nodes == null) {
      return def;
    }
    List<String> result = new ArrayList<>(nodes.size());
    for (int i = 0; i < nodes.size(); i++) {
      Node node = nodes.get(i);
      Location at = itemAt(key, i, node);
      if (!item(node, at)) {
        incomplete.add(model);
        continue;
      }
      if (!(node instanceof ScalarNode scalar)) {
        incomplete.add(model);
        ctx.problem(at, "must be a string, was " + ReadContext.describe(node));
        continue;
      }
      table.put(model + "[" + result.size() + "]", at);
      result.add(scalar.getValue());
    }
    return result;
  }

  /** The numbers of the list at {@code key}; items that are not numbers are reported. */
  List<Double> numbers(String key, String model, List<Double> def) {
    List<Node> nodes = list(key, model, false);
    if (nodes == null) {
      return def;
    }
    List<Double> result = new ArrayList<>(nodes.size());
    for (int i = 0; i < nodes.size(); i++) {
      Node node = nodes.get(i);
      Location at = itemAt(key, i, node);
      if (!item(node, at)) {
        incomplete.add(model);
        continue;
      }
      try {
        double d = Scalars.number(node);
        table.put(model + "[" + result.size() + "]", at);
        result.add(d);
      } catch (IllegalArgumentException e) {
        incomplete.add(model);
        ctx.problem(at, e.getMessage());
      }
    }
    return result;
  }

  private boolean item(Node node, Location at) {
    if (!ctx.plain(node, at)) {
      return false;
    }
    if (ReadContext.isNull(node)) {
      ctx.problem(at, "is an empty list item; give a value or remove the dash");
      return false;
    }
    return true;
  }

  /**
   * Each entry of the mapping at {@code key} (name to value) read by {@code reader}; entries with
   * problems are left out.
   */
  <T> List<T> named(String key, String model, NamedReader<T> reader) {
    Node value = take(key, model, false);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof MappingNode map)) {
      failed.add(model);
      ctx.problem(
          at(key), "must be a mapping from names to entries, was " + ReadContext.describe(value));
      return List.of();
    }
    List<T> result = new ArrayList<>(map.getValue().size());
    for (Entry e : entries(ctx, map, Location.child(self.yamlPath(), key))) {
      add(model, e.value(), e.at(), at -> reader.read(e.key(), e.value(), at), result);
    }
    return result;
  }

  /** A mapping from strings to strings (labels). */
  Map<String, String> stringMap(String key, String model) {
    Node value = take(key, model, false);
    if (value == null) {
      return Map.of();
    }
    return stringMap(value, at(key), model);
  }

  /** {@code node} as a mapping from strings to strings, its entries located under {@code model}. */
  Map<String, String> stringMap(Node node, Location location, String model) {
    if (!(node instanceof MappingNode map)) {
      failed.add(model);
      ctx.problem(
          location, "must be a mapping from names to strings, was " + ReadContext.describe(node));
      return Map.of();
    }
    Map<String, String> result = new LinkedHashMap<>();
    for (Entry e : entries(ctx, map, location.yamlPath())) {
      if (!ctx.plain(e.value(), e.at())) {
        failed.add(model);
        continue;
      }
      if (!(e.value() instanceof ScalarNode scalar) || ReadContext.isNull(scalar)) {
        failed.add(model);
        ctx.problem(e.at(), "must be a string, was " + ReadContext.describe(e.value()));
        continue;
      }
      table.put(model + "." + e.key(), e.at());
      result.put(e.key(), scalar.getValue());
    }
    return result;
  }

  /**
   * The mapping at {@code key} as plain values (strings, numbers, booleans, null, lists and
   * mappings).
   */
  Map<String, Object> freeForm(String key, String model) {
    Node value = take(key, model, false);
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof MappingNode)) {
      failed.add(model);
      ctx.problem(at(key), "must be a mapping, was " + ReadContext.describe(value));
      return Map.of();
    }
    Object converted = new FreeForm(ctx, table, failed).convert(value, at(key), model, 0);
    @SuppressWarnings("unchecked")
    Map<String, Object> map =
        converted instanceof Map<?, ?> ? (Map<String, Object>) converted : Map.of();
    return map;
  }

  /**
   * The mapping at {@code key} read as fields of its own (for values that are not records of their
   * own), or null.
   */
  Fields nested(String key, String model, List<String> known) {
    Node value = take(key, model, false);
    if (value == null) {
      return null;
    }
    Fields nested = new Fields(ctx, value, at(key), known);
    if (!nested.isMapping) {
      failed.add(model);
      return null;
    }
    return nested;
  }

  /** The record at {@code key} read by {@code reader}, or {@code def} when left out or wrong. */
  <T> T record(String key, T def, ItemReader<T> reader) {
    Node value = take(key, key, false);
    if (value == null) {
      return def;
    }
    Read<T> read = reader.read(0, value, at(key));
    if (read.value() == null) {
      failed.add(key);
      return def;
    }
    table.putAll(key, read.table());
    return read.value();
  }

  /**
   * Constructs the record, reporting the model's violations at the places in the file they concern.
   * Null when the model rejects it, or when this was no mapping to begin with.
   */
  <T> T build(Supplier<T> constructor) {
    if (!isMapping) {
      return null;
    }
    return RecordConstruction.construct(ctx, table, failed, incomplete, constructor);
  }
}
