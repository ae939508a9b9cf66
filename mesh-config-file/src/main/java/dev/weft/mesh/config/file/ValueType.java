package dev.weft.mesh.config.file;

import dev.weft.mesh.api.config.RetryOn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The type of a key's value in the file: how it is read, its problems reported, and how the model's
 * value is written back. Every type the format has is here once; the {@link Schema} of each record
 * names the types of its keys.
 */
final class ValueType<T> {

  /**
   * Reads {@code key} (model field {@code model}); {@code def} when left out or wrong (reported).
   */
  @FunctionalInterface
  interface Reader<T> {
    T read(Fields f, String key, String model, T def, boolean required);
  }

  /**
   * The model's value as the file writes it: plain values, lists and mappings for the YAML dumper.
   */
  @FunctionalInterface
  interface Writer<T> {
    Object write(T value, MeshConfigWriter out);
  }

  static final ValueType<String> STRING = scalar(Scalars::text, s -> s);
  static final ValueType<Integer> INTEGER =
      scalar(n -> (int) Scalars.whole(n, Integer.MIN_VALUE, Integer.MAX_VALUE), i -> i);
  static final ValueType<Long> LONG =
      scalar(n -> Scalars.whole(n, Long.MIN_VALUE, Long.MAX_VALUE), l -> l);
  static final ValueType<Double> NUMBER = scalar(Scalars::number, ValueType::number);
  static final ValueType<Boolean> BOOLEAN = scalar(Scalars::bool, b -> b);
  static final ValueType<Duration> DURATION = scalar(Scalars::duration, Durations::format);
  static final ValueType<List<String>> STRINGS =
      new ValueType<>(
          (f, key, model, def, required) -> f.strings(key, model, def),
          (v, out) -> new ArrayList<>(v));
  static final ValueType<Map<String, String>> STRING_MAP =
      new ValueType<>(
          (f, key, model, def, required) -> f.stringMap(key, model),
          (v, out) -> new LinkedHashMap<>(v));

  /** Load-balancing options: free-form plain values, shared where the model shares them. */
  static final ValueType<Map<String, Object>> OPTIONS =
      new ValueType<>(
          (f, key, model, def, required) -> f.freeForm(key, model),
          (v, out) -> out.plain(v, "options"));

  /**
   * Retry conditions as a list ({@code [5xx, reset]}) or in Envoy's comma-separated form ({@code
   * "5xx,reset"}).
   */
  static final ValueType<Set<RetryOn>> RETRY_CONDITIONS =
      new ValueType<>(
          (f, key, model, def, required) -> retryConditions(f, key, def),
          (v, out) -> conditionNames(v));

  /** A list of numbers ({@code [5, 25, 50, 100]}). */
  static final ValueType<List<Double>> NUMBERS =
      new ValueType<>(
          (f, key, model, def, required) -> f.numbers(key, model, def),
          (v, out) -> v.stream().map(ValueType::number).toList());

  /** A point in time in ISO-8601 form with an offset ({@code 2026-12-03T14:00:00Z}). */
  static final ValueType<java.time.Instant> INSTANT =
      scalar(ValueType::instant, java.time.Instant::toString);

  private static java.time.Instant instant(Node node) {
    String text = Scalars.text(node);
    try {
      return java.time.OffsetDateTime.parse(text.trim()).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException(
          "must be a time with an offset like 2026-12-03T14:00:00Z, was '" + text + "'");
    }
  }

  /** HTTP status codes, written sorted. */
  static final ValueType<Set<Integer>> STATUS_CODES =
      new ValueType<>(
          (f, key, model, def, required) -> statusCodes(f, key),
          (v, out) -> new ArrayList<>(v.stream().sorted().toList()));

  private final Reader<T> reader;
  private final Writer<T> writer;
  private final Schema<?> holds;
  private final List<String> subKeys;

  private ValueType(Reader<T> reader, Writer<T> writer) {
    this(reader, writer, null, List.of());
  }

  private ValueType(Reader<T> reader, Writer<T> writer, Schema<?> holds, List<String> subKeys) {
    this.reader = reader;
    this.writer = writer;
    this.holds = holds;
    this.subKeys = subKeys;
  }

  /**
   * A scalar converted by {@code parse}, which reports what is wrong by throwing
   * IllegalArgumentException.
   */
  static <T> ValueType<T> scalar(Function<Node, T> parse, Function<T, Object> write) {
    return new ValueType<>(
        (f, key, model, def, required) -> f.scalar(key, model, def, required, parse),
        (v, out) -> write.apply(v));
  }

  /**
   * An enum constant, written by its lower-case name and read by it in any case ({@code healthy},
   * {@code mutual}).
   */
  static <E extends Enum<E>> ValueType<E> enumOf(Class<E> type) {
    return scalar(n -> Fields.parseEnum(Scalars.text(n), type), ValueType::lower);
  }

  /** A record of its own, a mapping of its schema's keys. */
  static <T> ValueType<T> record(Schema<T> schema) {
    return new ValueType<>(
        (f, key, model, def, required) ->
            f.record(
                key, def, (i, node, at) -> schema.read(f.ctx(), node, at, Schema.Values.item(0))),
        schema::write,
        schema,
        List.of());
  }

  /** A list of records. */
  static <T> ValueType<List<T>> list(Schema<T> schema) {
    return new ValueType<>(
        (f, key, model, def, required) ->
            f.items(
                key,
                model,
                required,
                (i, node, at) -> schema.read(f.ctx(), node, at, Schema.Values.item(i))),
        (v, out) -> {
          List<Object> items = new ArrayList<>(v.size());
          v.forEach(item -> items.add(schema.write(item, out)));
          return items;
        },
        schema,
        List.of());
  }

  /** A mapping from names to records, each named by {@code name}. */
  static <T> ValueType<List<T>> named(Schema<T> schema, Function<T, String> name) {
    return new ValueType<>(
        (f, key, model, def, required) ->
            f.named(
                key,
                model,
                (entry, node, at) -> schema.read(f.ctx(), node, at, Schema.Values.named(entry))),
        (v, out) -> {
          Map<String, Object> entries = new LinkedHashMap<>();
          v.forEach(item -> entries.put(name.apply(item), schema.write(item, out)));
          return entries;
        },
        schema,
        List.of());
  }

  /**
   * A value read only by its record's {@link Schema.Step}, which also reads {@code subKeys} inside
   * it; written by {@code write}.
   */
  static <T> ValueType<T> readByStep(Function<T, Object> write, String... subKeys) {
    return new ValueType<>(
        (f, key, model, def, required) -> {
          throw new IllegalStateException(key + " is read by its record's step");
        },
        (v, out) -> write.apply(v),
        null,
        List.of(subKeys));
  }

  T read(Fields f, String key, String model, T def, boolean required) {
    return reader.read(f, key, model, def, required);
  }

  Object write(T value, MeshConfigWriter out) {
    return writer.write(value, out);
  }

  /** Adds the keys of what values of this type hold. */
  void keysInto(Set<String> into) {
    into.addAll(subKeys);
    if (holds != null) {
      holds.keysInto(into);
    }
  }

  /**
   * A model number as the file writes it: whole numbers without a fraction ({@code 100}, not {@code
   * 100.0}), others exactly as Java prints them, which reads back to the same double.
   */
  private static Object number(double d) {
    boolean negativeZero = d == 0 && Double.doubleToRawLongBits(d) != 0;
    if (d == Math.rint(d) && Math.abs(d) < 1e15 && !negativeZero) {
      return (long) d;
    }
    return d;
  }

  static String lower(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  private static List<Object> conditionNames(Set<RetryOn> conditions) {
    List<Object> names = new ArrayList<>();
    if (!conditions.isEmpty()) {
      EnumSet.copyOf(conditions).forEach(c -> names.add(c.configName()));
    }
    return names;
  }

  private static Set<RetryOn> retryConditions(Fields f, String key, Set<RetryOn> def) {
    Node value = f.take(key, key, false);
    if (value == null) {
      return def;
    }
    Set<RetryOn> result = EnumSet.noneOf(RetryOn.class);
    if (value instanceof ScalarNode scalar) {
      for (String name : scalar.getValue().split(",", -1)) {
        addCondition(f, key, name, f.at(key), result);
      }
    } else if (value instanceof SequenceNode sequence) {
      List<Node> items = sequence.getValue();
      for (int i = 0; i < items.size(); i++) {
        Node item = items.get(i);
        Location at = f.itemAt(key, i, item);
        if (!f.ctx().plain(item, at)) {
          f.fail(key);
        } else if (item instanceof ScalarNode scalar && !ReadContext.isNull(scalar)) {
          addCondition(f, key, scalar.getValue(), at, result);
        } else {
          f.fail(key);
          f.problem(
              at,
              "must be a retry condition such as 5xx or unavailable, was "
                  + ReadContext.describe(item));
        }
      }
    } else {
      f.fail(key);
      f.problem(
          f.at(key), "must be a list of retry conditions, was " + ReadContext.describe(value));
    }
    return result;
  }

  private static void addCondition(
      Fields f, String key, String name, Location at, Set<RetryOn> into) {
    RetryOn condition = RetryOn.fromConfigName(name).orElse(null);
    if (condition != null) {
      into.add(condition);
      return;
    }
    f.fail(key);
    List<String> names = Arrays.stream(RetryOn.values()).map(RetryOn::configName).toList();
    String hint =
        Suggestions.closest(name.trim(), names).map(s -> "did you mean '" + s + "'? ").orElse("");
    f.problem(
        at,
        "has the unknown condition "
            + ReadContext.quote(name.trim())
            + "; "
            + hint
            + "the conditions are "
            + String.join(", ", names));
  }

  private static Set<Integer> statusCodes(Fields f, String key) {
    List<Node> items = f.list(key, key, false);
    if (items == null) {
      return Set.of();
    }
    Set<Integer> codes = new LinkedHashSet<>();
    for (int i = 0; i < items.size(); i++) {
      Node item = items.get(i);
      Location at = f.itemAt(key, i, item);
      if (!f.ctx().plain(item, at)) {
        f.fail(key);
        continue;
      }
      try {
        codes.add((int) Scalars.whole(item, Integer.MIN_VALUE, Integer.MAX_VALUE));
      } catch (IllegalArgumentException e) {
        f.fail(key);
        f.problem(at, e.getMessage());
      }
    }
    return codes;
  }
}
