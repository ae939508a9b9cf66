package dev.weft.mesh.config.file;

import dev.weft.mesh.api.config.MeshConfig;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Turns a composed YAML document into a {@link MeshConfig} by walking the schema from {@link
 * MeshSchema#ROOT}: each record is read with {@link Fields} and constructed so that the model
 * validates it. The keys and defaults are those of {@code docs/config-reference.md}.
 */
final class MeshConfigReader {
  private final ReadContext ctx;

  MeshConfigReader(ReadContext ctx) {
    this.ctx = ctx;
  }

  /** The configuration in {@code root}, or null when it has problems (reported to the context). */
  ParsedConfig read(Node root, String defaultVersion) {
    if (root == null) {
      ctx.problem(
          Location.root(),
          "the file is empty; a mesh configuration has at least one of the keys 'services' and 'clusters'");
      return null;
    }
    Schema.Values given = Schema.Values.item(0).put(MeshSchema.CONTENT_VERSION, defaultVersion);
    Fields.Read<MeshConfig> read = MeshSchema.ROOT.read(ctx, root, Location.root(), given);
    return read.value() == null || ctx.hasProblems()
        ? null
        : new ParsedConfig(read.value(), read.table(), ctx.source);
  }
}
