package dev.weft.mesh.config.file;

import dev.weft.mesh.api.config.ConfigViolation;
import dev.weft.mesh.api.config.InvalidConfigException;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Constructs a model record read by {@link Fields} and reports the model's own violations at the
 * places in the file they concern, leaving out those that only repeat a problem already reported.
 */
final class RecordConstruction {
  private RecordConstruction() {}

  /**
   * Constructs with {@code constructor} and reports the model's violations, located with {@code
   * table}.
   */
  static <T> T construct(
      ReadContext ctx,
      PathTable table,
      Set<String> failed,
      Set<String> incomplete,
      Supplier<T> constructor) {
    try {
      return constructor.get();
    } catch (InvalidConfigException e) {
      for (ConfigViolation v : e.violations()) {
        if (!repeats(v.path(), failed, incomplete)) {
          ctx.problem(table.resolve(v.path()), v.message());
        }
      }
      return null;
    } catch (ArithmeticException e) {
      // The model's checks can overflow on extreme values (a fill interval of a billion years).
      ctx.problem(table.resolve(""), "holds a value too large to check (" + e.getMessage() + ")");
      return null;
    }
  }

  private static boolean repeats(String path, Set<String> failed, Set<String> incomplete) {
    if (incomplete.contains(path)) {
      return true;
    }
    for (String f : failed) {
      if (path.equals(f) || path.startsWith(f + ".") || path.startsWith(f + "[")) {
        return true;
      }
    }
    return false;
  }
}
