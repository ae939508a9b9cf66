package dev.weft.mesh.config.file;

import dev.weft.mesh.api.config.ConfigViolation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/** The state of reading one file: its name, the problems found so far and the work done. */
final class ReadContext {
  /**
   * The most values a file may hold once aliases are expanded, so that an alias bomb cannot stall a
   * read.
   */
  static final int MAX_VALUES = 1_000_000;

  /** The most problems listed in one rejection; the rest are counted. */
  static final int MAX_REPORTED = 100;

  /**
   * Tags a file may carry: plain data only. Timestamps are kept for strings that merely look like
   * dates.
   */
  private static final Set<Tag> PLAIN_TAGS =
      Set.of(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL, Tag.MAP, Tag.SEQ, Tag.TIMESTAMP);

  final String source;
  private final List<Found> found = new ArrayList<>();
  private int dropped;
  private long visited;
  private final Map<Node, Converted> converted = new IdentityHashMap<>();

  ReadContext(String source) {
    this.source = source;
  }

  void problem(Location location, String message) {
    add(
        ((long) location.line() << 32) | location.column(),
        new ConfigViolation(location.describe(source), location.yamlPath(), message));
  }

  /** A problem with the file as a whole, at no particular place in it. */
  void fileProblem(String message) {
    add(0, new ConfigViolation(source, "", message));
  }

  private void add(long position, ConfigViolation violation) {
    if (found.size() < MAX_REPORTED) {
      found.add(new Found(position, violation));
    } else {
      dropped++;
    }
  }

  boolean hasProblems() {
    return !found.isEmpty();
  }

  /** The problems in the order of their places in the file. */
  List<ConfigViolation> violations() {
    List<ConfigViolation> all = new ArrayList<>(found.size() + 1);
    found.stream()
        .sorted(Comparator.comparingLong(Found::position))
        .forEach(f -> all.add(f.violation()));
    if (dropped > 0) {
      all.add(new ConfigViolation(source, "", "and " + dropped + " more problems not listed"));
    }
    return all;
  }

  private record Found(long position, ConfigViolation violation) {}

  /** Counts one value read; gives up on files that expand past {@link #MAX_VALUES} values. */
  void visit() {
    visit(1);
  }

  /** Counts {@code values} values read at once (an alias of something already read). */
  void visit(long values) {
    visited += values;
    if (visited > MAX_VALUES) {
      throw new TooLarge();
    }
  }

  /** A free-form value converted from a node, and how many values it holds once expanded. */
  record Converted(Object value, long size) {}

  /**
   * The free-form value already converted from {@code node} (reached again through an alias), or
   * null.
   */
  Converted converted(Node node) {
    return converted.get(node);
  }

  void converted(Node node, Converted value) {
    converted.put(node, value);
  }

  /** Whether {@code node} is plain data; reports it otherwise. */
  boolean plain(Node node, Location location) {
    visit();
    if (node.getTag().equals(Tag.MERGE)) {
      problem(location, "merge keys ('<<') are not supported; write the keys out in full");
      return false;
    }
    if (!PLAIN_TAGS.contains(node.getTag())) {
      problem(
          location,
          "has the tag '"
              + node.getTag().getValue()
              + "', but the file may hold only plain data (strings, numbers, booleans, lists and mappings)");
      return false;
    }
    return true;
  }

  static boolean isNull(Node node) {
    return node instanceof ScalarNode && node.getTag().equals(Tag.NULL);
  }

  /** How a value reads in an error message: {@code a list}, {@code the string 'abc'}. */
  static String describe(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    ScalarNode scalar = (ScalarNode) node;
    Tag tag = scalar.getTag();
    String text = quote(scalar.getValue());
    if (tag.equals(Tag.NULL)) {
      return "empty";
    }
    if (tag.equals(Tag.INT) || tag.equals(Tag.FLOAT)) {
      return "the number " + text;
    }
    if (tag.equals(Tag.BOOL)) {
      return "the boolean " + text;
    }
    return "the string " + text;
  }

  /** {@code 'text'}, shortened so that a huge value cannot flood a message. */
  static String quote(String text) {
    String shown = text.length() > 60 ? text.substring(0, 57) + "..." : text;
    StringBuilder sb = new StringBuilder(shown.length() + 2).append('\'');
    shown
        .codePoints()
        .forEach(
            c -> {
              if (Character.isISOControl(c)) {
                sb.append(String.format("\\u%04x", c));
              } else {
                sb.appendCodePoint(c);
              }
            });
    return sb.append('\'').toString();
  }

  /** Thrown when a file expands past {@link #MAX_VALUES} values. */
  static final class TooLarge extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooLarge() {
      super(null, null, false, false);
    }
  }
}
