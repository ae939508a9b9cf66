package dev.weft.mesh.api.client;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Adds this argument as a query parameter; a null argument adds nothing, a collection adds one
 * parameter per element.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Query {
  /** The query parameter's name. */
  String value();
}
