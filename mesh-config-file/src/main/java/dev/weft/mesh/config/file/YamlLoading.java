package dev.weft.mesh.config.file;

import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.reader.ReaderException;

/**
 * Bytes to a YAML node tree, defensively: strict UTF-8, one document, bounded size, depth and
 * aliases, and no types beyond plain data. Every failure becomes a located problem.
 */
final class YamlLoading {
  /** The most characters a file may have: SnakeYAML's default, ample for any mesh. */
  static final int MAX_CODE_POINTS = 3 * 1024 * 1024;

  /** The most bytes a file may have: no UTF-8 file this long fits in {@link #MAX_CODE_POINTS}. */
  static final int MAX_BYTES = 4 * MAX_CODE_POINTS;

  static final int MAX_NESTING_DEPTH = 50;
  static final int MAX_ALIASES = 50;

  /** The document's root node, or null when the file is empty or has problems (reported). */
  static Node compose(byte[] content, ReadContext ctx) {
    if (content.length > MAX_BYTES) {
      ctx.fileProblem(
          "is longer than " + MAX_BYTES + " bytes, the most a mesh configuration may have");
      return null;
    }
    String text = decode(content, ctx);
    if (text == null) {
      return null;
    }
    try {
      return new Yaml(loaderOptions()).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String message = "invalid YAML: " + describe(e);
      if (mark == null) {
        ctx.fileProblem(message);
      } else {
        ctx.problem(Location.of("", mark), message);
      }
    } catch (ReaderException e) {
      ctx.problem(
          locate(text, e.getPosition()),
          String.format(
              "contains the character U+%04X, which YAML does not allow (control characters other than tab and line breaks)",
              e.getCodePoint()));
    } catch (YAMLException e) {
      ctx.fileProblem("cannot be read: " + e.getMessage());
    } catch (RuntimeException e) {
      // A failure inside the YAML library on odd input still only rejects the file.
      ctx.fileProblem("cannot be read as YAML: " + e);
    }
    return null;
  }

  static LoaderOptions loaderOptions() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setAllowRecursiveKeys(false);
    options.setNestingDepthLimit(MAX_NESTING_DEPTH);
    options.setCodePointLimit(MAX_CODE_POINTS);
    options.setMaxAliasesForCollections(MAX_ALIASES);
    options.setMergeOnCompose(false);
    options.setProcessComments(false);
    options.setTagInspector(tag -> false);
    return options;
  }

  private static String describe(MarkedYAMLException e) {
    StringBuilder sb = new StringBuilder();
    if (e.getContext() != null) {
      sb.append(e.getContext());
      Mark context = e.getContextMark();
      if (context != null
          && e.getProblemMark() != null
          && context.getIndex() != e.getProblemMark().getIndex()) {
        sb.append(" (from line ")
            .append(context.getLine() + 1)
            .append(", column ")
            .append(context.getColumn() + 1)
            .append(')');
      }
      sb.append(": ");
    }
    return sb.append(e.getProblem()).toString();
  }

  /**
   * {@code content} as text, or null when it is not valid UTF-8 (reported with the byte offset).
   */
  static String decode(byte[] content, ReadContext ctx) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(content);
    CharBuffer out = CharBuffer.allocate(content.length + 1);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      int offset = in.position();
      int line = 1;
      int lineStart = 0;
      for (int i = 0; i < offset; i++) {
        if (content[i] == '\n') {
          line++;
          lineStart = i + 1;
        }
      }
      String before = new String(content, lineStart, offset - lineStart, StandardCharsets.UTF_8);
      int column = before.codePointCount(0, before.length()) + 1;
      StringBuilder bytes = new StringBuilder();
      for (int i = offset; i < Math.min(content.length, offset + result.length()); i++) {
        bytes
            .append(bytes.length() == 0 ? "" : " ")
            .append(String.format("0x%02X", content[i] & 0xff));
      }
      ctx.problem(
          new Location("", line, column),
          "is not valid UTF-8: bad byte sequence "
              + bytes
              + " at byte offset "
              + offset
              + "; save the file as UTF-8");
      return null;
    }
    out.flip();
    String text = out.toString();
    return text.startsWith("\uFEFF") ? text.substring(1) : text;
  }

  /** The line and column of the code point at {@code position} in {@code text}. */
  private static Location locate(String text, int position) {
    int line = 1;
    int column = 1;
    int index = 0;
    for (int i = 0; i < text.length() && index < position; index++) {
      int c = text.codePointAt(i);
      i += Character.charCount(c);
      if (c == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return new Location("", line, column);
  }

  private YamlLoading() {}
}
