package dev.weft.mesh.config.file;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * How one model record is written in the file, declared once and used both ways: the keys of its
 * mapping in the order of the reference, each with its type, its default and the part of the record
 * it writes, and how the values read make the record. {@link MeshConfigReader} walks it to read
 * (the key names also give the unknown-key errors and their "did you mean" hints), {@link
 * MeshConfigWriter} to write, and a test to check that the reference names every key.
 */
final class Schema<R> {

  /**
   * Reads the keys of a record that depend on each other (one of several kinds, an address that is
   * a host and a port) into {@code values}; {@code keys} are the names of the keys it reads.
   */
  @FunctionalInterface
  interface Step {
    void read(Fields f, Values values, List<String> keys);
  }

  /**
   * Reads a record written in a form other than a mapping of its keys; null when the node is not in
   * that form.
   */
  @FunctionalInterface
  interface Form<R> {
    Fields.Read<R> read(ReadContext ctx, String name, Node node, Location at);
  }

  private final List<Key<R, ?>> keys;
  private final List<String> names;
  private final Function<Values, R> construct;
  private final Step step;
  private final Form<R> form;
  private final String wrapper;
  private final Function<Values, R> standIn;
  private final Function<R, Object> writtenAs;

  private Schema(
      List<Key<R, ?>> keys,
      Function<Values, R> construct,
      Step step,
      Form<R> form,
      String wrapper,
      Function<Values, R> standIn,
      Function<R, Object> writtenAs) {
    this.keys = keys;
    this.names = keys.stream().map(k -> k.name).toList();
    this.construct = construct;
    this.step = step;
    this.form = form;
    this.wrapper = wrapper;
    this.standIn = standIn;
    this.writtenAs = writtenAs;
  }

  /** A record written as a mapping of {@code keys}, made from their values by {@code construct}. */
  @SafeVarargs
  static <R> Schema<R> of(Function<Values, R> construct, Key<R, ?>... keys) {
    // Copied key by key: passing the array itself on is what javac warns of for generic varargs.
    List<Key<R, ?>> list = new ArrayList<>(keys.length);
    for (Key<R, ?> key : keys) {
      list.add(key);
    }
    return new Schema<>(List.copyOf(list), construct, null, null, null, null, null);
  }

  /**
   * A record written in a form of its own, not as a mapping of keys (a subset is just its labels).
   */
  static <R> Schema<R> ofForm(Form<R> form, Function<R, Object> writtenAs) {
    return new Schema<>(List.of(), v -> null, null, form, null, null, writtenAs);
  }

  /** This schema, with the keys declared {@linkplain #byStep by step} read by {@code step}. */
  Schema<R> step(Step step) {
    return new Schema<>(keys, construct, step, form, wrapper, standIn, writtenAs);
  }

  /**
   * This schema, also read from {@code form} where that form applies (a policy name for a whole
   * mapping).
   */
  Schema<R> orForm(Form<R> form) {
    return new Schema<>(keys, construct, step, form, wrapper, standIn, writtenAs);
  }

  /**
   * This schema, also read from inside a mapping whose one key is {@code wrapper} (Istio's {@code
   * source:}).
   */
  Schema<R> wrappedIn(String wrapper) {
    return new Schema<>(keys, construct, step, form, wrapper, standIn, writtenAs);
  }

  /**
   * This schema, giving {@code standIn} in place of a record the model rejects, so that what refers
   * to it can still be checked.
   */
  Schema<R> standIn(Function<Values, R> standIn) {
    return new Schema<>(keys, construct, step, form, wrapper, standIn, writtenAs);
  }

  /**
   * The record at {@code node}, which {@code at} locates, or a null value when it has problems
   * (reported).
   */
  Fields.Read<R> read(ReadContext ctx, Node node, Location at, Values values) {
    if (form != null) {
      Fields.Read<R> read = form.read(ctx, values.name(), node, at);
      if (read != null) {
        return read;
      }
    }
    if (wrapper != null && isWrapper(node, wrapper)) {
      Fields f = new Fields(ctx, node, at, List.of(wrapper));
      return f.done(
          f.record(
              wrapper, null, (index, inner, innerAt) -> readKeys(ctx, inner, innerAt, values)));
    }
    return readKeys(ctx, node, at, values);
  }

  private static boolean isWrapper(Node node, String key) {
    return node instanceof MappingNode m
        && m.getValue().size() == 1
        && m.getValue().get(0).getKeyNode() instanceof ScalarNode k
        && k.getValue().equals(key);
  }

  private Fields.Read<R> readKeys(ReadContext ctx, Node node, Location at, Values values) {
    Fields f = new Fields(ctx, node, at, names);
    if (values.name() != null) {
      f.locate("name", at);
    }
    boolean stepped = false;
    for (Key<R, ?> key : keys) {
      if (!key.byStep) {
        values.put(key.name, key.read(f, values));
      } else if (!stepped) {
        // The step reads all its keys together, in the place of the first of them.
        step.read(f, values, keys.stream().filter(k -> k.byStep).map(k -> k.name).toList());
        stepped = true;
      }
    }
    R record = f.build(() -> construct.apply(values));
    if (record == null && standIn != null) {
      record = standIn.apply(values);
    }
    return f.done(record);
  }

  /**
   * {@code record} as the file writes it: a mapping of every key that applies, in order, defaults
   * included.
   */
  Object write(R record, MeshConfigWriter out) {
    if (writtenAs != null) {
      return writtenAs.apply(record);
    }
    Map<String, Object> map = new LinkedHashMap<>();
    for (Key<R, ?> key : keys) {
      key.writeInto(record, out, map);
    }
    return map;
  }

  /** Adds the names of this record's keys and of the keys of the records it holds. */
  void keysInto(Set<String> into) {
    if (wrapper != null) {
      into.add(wrapper);
    }
    for (Key<R, ?> key : keys) {
      into.add(key.name);
      key.type.keysInto(into);
    }
  }

  /** An optional key: {@code def} when the file leaves it out. */
  static <R, T> Key<R, T> key(String name, ValueType<T> type, T def, Function<R, T> getter) {
    return new Key<>(name, name, type, v -> def, false, false, getter);
  }

  /** An optional key whose default depends on the record's place or on the keys read before it. */
  static <R, T> Key<R, T> derived(
      String name, ValueType<T> type, Function<Values, T> def, Function<R, T> getter) {
    return new Key<>(name, name, type, def, false, false, getter);
  }

  /**
   * A required key; {@code fallback} stands in for it, after the problem is reported, so that
   * reading goes on.
   */
  static <R, T> Key<R, T> required(
      String name, ValueType<T> type, T fallback, Function<R, T> getter) {
    return new Key<>(name, name, type, v -> fallback, true, false, getter);
  }

  /**
   * A key read by the record's {@link Step}, together with the other keys it depends on; written by
   * {@code type}.
   */
  static <R, T> Key<R, T> byStep(String name, ValueType<T> type, Function<R, T> getter) {
    return new Key<>(name, name, type, v -> null, false, true, getter);
  }

  /**
   * One key of a record: how it is read and with what default, and what of the record it writes,
   * where a null from the getter means the key is not written (a kind the record is not).
   *
   * @param model the record component the model's violations name for this key
   */
  record Key<R, T>(
      String name,
      String model,
      ValueType<T> type,
      Function<Values, T> def,
      boolean required,
      boolean byStep,
      Function<R, T> getter) {

    /**
     * This key, located for the model's violations under the record component {@code model} rather
     * than its own name.
     */
    Key<R, T> model(String model) {
      return new Key<>(name, model, type, def, required, byStep, getter);
    }

    private T read(Fields f, Values values) {
      return type.read(f, name, model, def.apply(values), required);
    }

    private void writeInto(R record, MeshConfigWriter out, Map<String, Object> map) {
      T value = getter.apply(record);
      if (value != null) {
        map.put(name, type.write(value, out));
      }
    }
  }

  /**
   * The values read for one record so far, by key, and the record's place: its index in a list or
   * its name.
   */
  static final class Values {
    private final Map<String, Object> values = new HashMap<>();
    private final int index;
    private final String name;

    private Values(int index, String name) {
      this.index = index;
      this.name = name;
    }

    /** For item {@code index} of a list, or a record of its own. */
    static Values item(int index) {
      return new Values(index, null);
    }

    /** For the entry called {@code name} of a mapping from names to records. */
    static Values named(String name) {
      return new Values(0, name);
    }

    int index() {
      return index;
    }

    String name() {
      return name;
    }

    Values put(String key, Object value) {
      values.put(key, value);
      return this;
    }

    /**
     * The value read for {@code key}; the declarations name only keys they read, so anything else
     * is a bug here.
     */
    @SuppressWarnings("unchecked")
    <T> T get(String key) {
      if (!values.containsKey(key)) {
        throw new IllegalStateException(
            "no value read for '"
                + key
                + "'; the keys read are "
                + new ArrayList<>(values.keySet()));
      }
      return (T) values.get(key);
    }
  }
}
