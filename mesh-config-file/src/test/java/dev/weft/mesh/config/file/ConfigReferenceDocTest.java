package dev.weft.mesh.config.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The reference documents the format the schema defines: every key the reader accepts is named in
 * it.
 */
class ConfigReferenceDocTest {
  /** The reference, from the module's directory, where the build runs the tests. */
  private static final Path REFERENCE = Path.of("..", "docs", "config-reference.md");

  private static final Pattern INLINE_CODE = Pattern.compile("`([^`\n]+)`");
  private static final Pattern WORD = Pattern.compile("[A-Za-z][A-Za-z0-9]*");

  @Test
  void theReferenceNamesEveryKeyOfTheSchema() throws IOException {
    Set<String> named = namedInCode(Files.readString(REFERENCE));
    List<String> missing = schemaKeys().stream().filter(k -> !named.contains(k)).toList();
    assertThat(missing)
        .as("keys of the schema that %s does not name in `code`", REFERENCE)
        .isEmpty();
  }

  @Test
  void theWalkReachesTheKeysOfNestedRecordsAndOfTheirSteps() {
    // Without this, a walk that stopped at the root would pass the test above with three keys.
    assertThat(schemaKeys())
        .contains(
            "version",
            "authorizationPolicies",
            "source",
            "notValues",
            "fixedDelay",
            "present",
            "start",
            "end",
            "callKey",
            "address",
            "subZone",
            "stdevFactor",
            "minWeightPercent",
            "subjectAltNames");
  }

  private static Set<String> schemaKeys() {
    Set<String> keys = new TreeSet<>();
    MeshSchema.ROOT.keysInto(keys);
    return keys;
  }

  /**
   * The words in the reference's inline code ({@code `retryOn`}, {@code `{start, end}`}), leaving
   * out its fenced examples: a key only shown in an example is not documented.
   */
  private static Set<String> namedInCode(String markdown) {
    StringBuilder prose = new StringBuilder();
    boolean fenced = false;
    for (String line : markdown.split("\n", -1)) {
      if (line.startsWith("```")) {
        fenced = !fenced;
      } else if (!fenced) {
        prose.append(line).append('\n');
      }
    }
    Set<String> words = new HashSet<>();
    Matcher code = INLINE_CODE.matcher(prose);
    while (code.find()) {
      Matcher word = WORD.matcher(code.group(1));
      while (word.find()) {
        words.add(word.group());
      }
    }
    return words;
  }
}
