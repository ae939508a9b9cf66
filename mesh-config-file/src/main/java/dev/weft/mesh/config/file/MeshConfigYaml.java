package dev.weft.mesh.config.file;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.config.MeshConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads and writes mesh configuration files in Weft's YAML format (see {@code
 * docs/config-reference.md}).
 *
 * <p>Reading checks everything a file can get wrong and reports it all at once: one {@link
 * InvalidConfigException} whose violations each give a {@code file:line:column} location and the
 * field's path in the file's terms, such as {@code clusters.reviews.endpoints[1].weight}. Unknown
 * keys are errors. The file is accepted whole or not at all.
 *
 * <p>Writing gives the canonical full form, every default written out, which reads back to an equal
 * configuration. Comments are not kept.
 */
public final class MeshConfigYaml {

  /**
   * The configuration in {@code content}.
   *
   * @param content the file's bytes, UTF-8
   * @param sourceName the file's name, used in error locations ({@code mesh.yaml:12:7})
   * @throws InvalidConfigException listing every problem in the file
   */
  public static MeshConfig read(byte[] content, String sourceName) {
    return parse(content, sourceName).config();
  }

  /**
   * The configuration in {@code file}.
   *
   * @throws InvalidConfigException listing every problem in the file, located by its file name
   * @throws IOException if the file cannot be read
   */
  public static MeshConfig read(Path file) throws IOException {
    return read(readBounded(file), String.valueOf(file.getFileName()));
  }

  /**
   * {@code config} as YAML in the canonical full form, which {@link #read} turns back into an equal
   * configuration.
   */
  public static String write(MeshConfig config) {
    return MeshConfigWriter.write(requireNonNull(config, "config"));
  }

  /** Reads {@code content}, keeping where each part of the model is in the file. */
  static ParsedConfig parse(byte[] content, String sourceName) {
    requireNonNull(content, "content");
    requireNonNull(sourceName, "sourceName");
    ReadContext ctx = new ReadContext(sourceName);
    ParsedConfig parsed = null;
    try {
      Node root = YamlLoading.compose(content, ctx);
      if (!ctx.hasProblems()) {
        parsed = new MeshConfigReader(ctx).read(root, contentVersion(content));
      }
    } catch (ReadContext.TooLarge e) {
      ctx.fileProblem(
          "holds more than " + ReadContext.MAX_VALUES + " values once its aliases are expanded");
    }
    if (ctx.hasProblems() || parsed == null) {
      if (!ctx.hasProblems()) {
        ctx.fileProblem("could not be read");
      }
      throw new InvalidConfigException(sourceName, ctx.violations());
    }
    return parsed;
  }

  /**
   * The version of a file that names none: {@code sha256:} and the first 12 hex digits of its
   * content's SHA-256.
   */
  static String contentVersion(byte[] content) {
    return "sha256:" + sha256Hex(content).substring(0, 12);
  }

  static String sha256Hex(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /**
   * The file's bytes, but no more than one byte past the most a configuration may have, so that a
   * huge file is rejected without being read whole.
   */
  static byte[] readBounded(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return in.readNBytes(YamlLoading.MAX_BYTES + 1);
    }
  }

  private MeshConfigYaml() {}
}
