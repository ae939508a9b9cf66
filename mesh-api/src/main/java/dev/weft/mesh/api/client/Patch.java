package dev.weft.mesh.api.client;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * An HTTP PATCH call. The value is a path template such as {@code /reviews/{id}}; {@code {name}}
 * segments are filled from {@link Path} parameters.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Patch {
  /** The path template, starting with a slash. */
  String value();
}
