package dev.weft.mesh.config.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.config.MeshConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever bytes a file holds, reading it either gives a configuration or throws an {@link
 * InvalidConfigException} whose violations are located in the file, and it finishes in time. The
 * inputs are the BookInfo example broken in many ways, and random bytes.
 */
class HostileInputTest {
  private static final byte[] EXAMPLE = example();
  private static final Duration PER_TRY = Duration.ofSeconds(5);

  private static byte[] example() {
    try {
      return Files.readAllBytes(ExampleFileTest.EXAMPLE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Property(tries = 2000)
  void mutatedExamplesAreReadOrRejectedWithLocatedViolations(
      @ForAll("mutatedExamples") byte[] content) {
    readOrReject(content);
  }

  @Property(tries = 500)
  void randomBytesAreRejectedWithLocatedViolations(@ForAll("randomBytes") byte[] content) {
    readOrReject(content);
  }

  @Property(tries = 500)
  void randomYamlishTextIsReadOrRejectedWithLocatedViolations(
      @ForAll("yamlishText") byte[] content) {
    readOrReject(content);
  }

  /**
   * Reads {@code content} with a preemptive time limit. Any exception but InvalidConfigException
   * fails the try, and so does a configuration that does not survive writing and reading back.
   */
  private static void readOrReject(byte[] content) {
    assertTimeoutPreemptively(
        PER_TRY,
        () -> {
          MeshConfig config;
          try {
            config = MeshConfigYaml.read(content, "mesh.yaml");
          } catch (InvalidConfigException e) {
            assertThat(e.violations())
                .isNotEmpty()
                .allSatisfy(v -> assertThat(v.location()).startsWith("mesh.yaml"));
            return;
          }
          byte[] written = MeshConfigYaml.write(config).getBytes(StandardCharsets.UTF_8);
          assertThat(MeshConfigYaml.read(written, "written.yaml")).isEqualTo(config);
        });
  }

  @Provide
  Arbitrary<byte[]> mutatedExamples() {
    return mutations()
        .list()
        .ofMinSize(1)
        .ofMaxSize(4)
        .map(
            ms -> {
              byte[] content = EXAMPLE.clone();
              for (UnaryOperator<byte[]> m : ms) {
                content = m.apply(content);
              }
              return content;
            });
  }

  @Provide
  Arbitrary<byte[]> randomBytes() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(3000);
  }

  @Provide
  Arbitrary<byte[]> yamlishText() {
    return Arbitraries.strings()
        .withChars("-:{}[],&*!|>'\"%@`#?~.<= \n\t\\abcxyz019eE_+")
        .ofMaxLength(400)
        .map(s -> s.getBytes(StandardCharsets.UTF_8));
  }

  private static Arbitrary<UnaryOperator<byte[]>> mutations() {
    Arbitrary<Double> at = Arbitraries.doubles().between(0, 1).ofScale(6);
    return Arbitraries.oneOf(
        // truncation, as a file caught half written
        at.map(f -> b -> Arrays.copyOf(b, (int) (f * b.length))),
        // bit flips
        Combinators.combine(at, Arbitraries.integers().between(0, 7))
            .as(
                (f, bit) ->
                    b -> {
                      byte[] c = b.clone();
                      if (c.length > 0) {
                        c[index(f, c.length)] ^= (byte) (1 << bit);
                      }
                      return c;
                    }),
        // random bytes inserted
        Combinators.combine(at, Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(8))
            .as((f, bytes) -> b -> insert(b, f, bytes)),
        // a range deleted
        Combinators.combine(at, Arbitraries.integers().between(1, 80))
            .as(
                (f, n) ->
                    b -> {
                      int from = (int) (f * b.length);
                      int to = Math.min(b.length, from + n);
                      byte[] c = new byte[b.length - (to - from)];
                      System.arraycopy(b, 0, c, 0, from);
                      System.arraycopy(b, to, c, from, b.length - to);
                      return c;
                    }),
        // a value of one type swapped for one of another, or for something odd
        Combinators.combine(at, Arbitraries.of(ODD_VALUES))
            .as((f, value) -> b -> replaceValue(b, f, value)),
        // huge numbers
        Combinators.combine(at, Arbitraries.of(30, 400, 5000))
            .as((f, digits) -> b -> replaceValue(b, f, "9".repeat(digits))),
        // deep nesting, flow and block
        Combinators.combine(at, Arbitraries.integers().between(10, 5000))
            .as((f, depth) -> b -> replaceValue(b, f, "[".repeat(depth) + "]".repeat(depth))),
        Combinators.combine(at, Arbitraries.integers().between(10, 200))
            .as((f, depth) -> b -> replaceValue(b, f, blockNesting(depth))),
        // an alias bomb where free-form values are allowed, or anywhere
        Arbitraries.integers()
            .between(2, 30)
            .map(levels -> b -> replaceOptions(b, aliasBomb(levels))),
        Combinators.combine(at, Arbitraries.integers().between(2, 30))
            .as((f, levels) -> b -> replaceValue(b, f, aliasBomb(levels))),
        // bad UTF-8
        Combinators.combine(at, Arbitraries.of(BAD_UTF8))
            .as((f, bytes) -> b -> insert(b, f, bytes)));
  }

  private static final String[] ODD_VALUES = {
    "[]",
    "{}",
    "~",
    "",
    "-1",
    "0",
    "-0",
    "1e999",
    "-.inf",
    ".nan",
    "true",
    "yes",
    "\"\"",
    "''",
    "[1, [2, [3]]]",
    "{a: {b: {c: d}}}",
    "!!binary aGk=",
    "!foo bar",
    "!!python/object:os.system x",
    "!!set {a, b}",
    "*nope",
    "&x [*x]",
    "&y {k: *y}",
    "0x7FFFFFFFFFFFFFFF",
    "0o777",
    "1:30",
    "1:30.5",
    "2026-11-27",
    "2026-11-27T10:00:00Z",
    "'unterminated",
    "\"bad \\q escape\"",
    "|\n  literal",
    ">",
    "- a",
    "@",
    "`",
    "%",
    "\t",
    "? complex\n: key",
    "<<: {a: b}",
    "=",
    "1_000",
    "9223372036854775808",
    "-9223372036854775809",
    "1.7976931348623157e309",
    "5 s",
    "5x",
    "1h30",
    "-5s",
    "\u00e9\u65e5",
    "\"\\u0000\"",
    "{a: 1, a: 2}",
    "[a, b]: c",
    "--- \n...",
    "%YAML 1.1\n---"
  };

  private static final byte[][] BAD_UTF8 = {
    {(byte) 0xFF},
    {(byte) 0xC3, 0x28},
    {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
    {(byte) 0xF0, 0x28, (byte) 0x8C, (byte) 0xBC},
    {(byte) 0xC0, (byte) 0xAF},
    {(byte) 0xE2, (byte) 0x82},
    {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}
  };

  private static int index(double f, int length) {
    return Math.min(length - 1, (int) (f * length));
  }

  private static byte[] insert(byte[] b, double f, byte[] bytes) {
    int at = (int) (f * b.length);
    byte[] c = new byte[b.length + bytes.length];
    System.arraycopy(b, 0, c, 0, at);
    System.arraycopy(bytes, 0, c, at, bytes.length);
    System.arraycopy(b, at, c, at + bytes.length, b.length - at);
    return c;
  }

  /** Replaces the value of the key on the line nearest {@code f} of the way through the file. */
  private static byte[] replaceValue(byte[] b, double f, String value) {
    String text = new String(b, StandardCharsets.ISO_8859_1);
    List<String> lines = text.lines().toList();
    if (lines.isEmpty()) {
      return b;
    }
    int start = index(f, lines.size());
    for (int i = 0; i < lines.size(); i++) {
      int n = (start + i) % lines.size();
      String line = lines.get(n);
      int colon = line.indexOf(": ");
      if (colon > 0 && !line.trim().startsWith("#")) {
        String replaced =
            line.substring(0, colon + 2) + value.replace("\n", "\n" + " ".repeat(colon + 2));
        return join(lines, n, replaced);
      }
    }
    return b;
  }

  private static byte[] replaceOptions(byte[] b, String value) {
    String text = new String(b, StandardCharsets.ISO_8859_1);
    return text.replace("options: {choiceCount: 2}", "options: " + value)
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] join(List<String> lines, int n, String replacement) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < lines.size(); i++) {
      out.writeBytes((i == n ? replacement : lines.get(i)).getBytes(StandardCharsets.ISO_8859_1));
      out.write('\n');
    }
    return out.toByteArray();
  }

  private static String blockNesting(int depth) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < depth; i++) {
      sb.append('\n').append("  ".repeat(i + 1)).append("k").append(i).append(':');
    }
    return sb.append(" v").toString();
  }

  /** The "billion laughs": each level a list of three aliases of the level before. */
  private static String aliasBomb(int levels) {
    StringBuilder sb = new StringBuilder("{l0: &l0 [lol, lol, lol]");
    for (int i = 1; i < levels; i++) {
      sb.append(", l")
          .append(i)
          .append(": &l")
          .append(i)
          .append(" [*l")
          .append(i - 1)
          .append(", *l")
          .append(i - 1)
          .append(", *l")
          .append(i - 1)
          .append(']');
    }
    return sb.append('}').toString();
  }
}
