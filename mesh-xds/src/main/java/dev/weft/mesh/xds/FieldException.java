package dev.weft.mesh.xds;

import dev.weft.mesh.api.config.InvalidConfigException;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** A resource field that cannot be used; {@link #getMessage()} names the field. */
final class FieldException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  FieldException(String field, String message) {
    super(field + ": " + message, null, false, false);
  }

  static FieldException of(String field, String format, Object... args) {
    return new FieldException(field, String.format(format, args));
  }

  /** Builds a model value, turning its validation errors into a field error at {@code field}. */
  static <T> T model(String field, Supplier<T> build) {
    try {
      return build.get();
    } catch (InvalidConfigException e) {
      String problems =
          e.violations().stream()
              .map(v -> v.path().isEmpty() ? v.message() : v.path() + " " + v.message())
              .collect(Collectors.joining("; "));
      throw new FieldException(field, problems);
    }
  }
}
